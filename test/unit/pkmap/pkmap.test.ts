import { describe, expect, it } from "vitest";
import { newPk, oldPk, PrimaryKeyMap } from "../../../lib/pkmap.ts";
import { toModelName } from "../../../lib/registry/types.ts";

const USER = toModelName("sentry.user");
const EMAIL = toModelName("sentry.email");
const ROLE = toModelName("sentry.userrole");

function sample(): PrimaryKeyMap {
  const map = new PrimaryKeyMap();
  map.insert(USER, oldPk(12), newPk(5), "Inserted");
  map.insert(USER, oldPk(13), newPk(2), "Existing");
  map.insert(EMAIL, oldPk(34), newPk(7), "Inserted", "slug-34");
  map.insert(ROLE, oldPk(78), newPk(1), "Overwrite");
  return map;
}

describe("the primary-key map", () => {
  it("answers getPk, getKind and getSlug for a recorded row", () => {
    const map = sample();
    expect(map.getPk(USER, oldPk(12))).toBe(5);
    expect(map.getKind(USER, oldPk(13))).toBe("Existing");
    expect(map.getSlug(EMAIL, oldPk(34))).toBe("slug-34");
    expect(map.getSlug(USER, oldPk(12))).toBeNull();
    expect(map.get(ROLE, oldPk(78))).toEqual({ newId: 1, kind: "Overwrite", slug: null });
  });

  it("answers null for a target that was not imported, so the referencing row is skipped", () => {
    const map = sample();
    expect(map.getPk(USER, oldPk(99))).toBeNull();
    expect(map.getKind(toModelName("sentry.organization"), oldPk(1))).toBeNull();
    expect(map.getSlug(USER, oldPk(99))).toBeNull();
  });

  it("lists a model's old pks in insertion order", () => {
    const map = sample();
    expect([...map.getPks(USER)]).toEqual([12, 13]);
    expect(map.getPks(toModelName("sentry.option")).size).toBe(0);
    expect(map.models()).toEqual([USER, EMAIL, ROLE]);
    expect(map.size).toBe(4);
  });

  it("overwrites the same (model, old pk) on insert and on extend", () => {
    const map = sample();
    const other = new PrimaryKeyMap();
    other.insert(USER, oldPk(13), newPk(9), "Inserted");
    other.insert(USER, oldPk(14), newPk(10), "Inserted");
    map.extend(other);
    expect(map.get(USER, oldPk(13))).toEqual({ newId: 9, kind: "Inserted", slug: null });
    expect(map.getPk(USER, oldPk(14))).toBe(10);
    expect(map.getPk(USER, oldPk(12))).toBe(5);
    map.insert(USER, oldPk(12), newPk(6), "Existing");
    expect(map.getKind(USER, oldPk(12))).toBe("Existing");
  });

  it("partitions by models, and optionally by kinds, into an independent map", () => {
    const map = sample();
    const users = map.partition([USER]);
    expect(users.models()).toEqual([USER]);
    expect(users.size).toBe(2);
    const inserted = map.partition([USER, EMAIL], ["Inserted"]);
    expect([...inserted.entries()].map(([model, old]) => `${model}:${old}`)).toEqual([
      "sentry.user:12",
      "sentry.email:34",
    ]);
    inserted.insert(USER, oldPk(50), newPk(50), "Inserted");
    expect(map.getPk(USER, oldPk(50))).toBeNull();
  });

  it("hands the useremail importer the new ids of user 12 and email 34 (user-pk-mapping.json)", () => {
    // §18.8: FKs of later rows are rewritten through the partition of their dependencies
    const map = sample();
    const visible = map.partition([USER, EMAIL]);
    expect(visible.getPk(USER, oldPk(12))).toBe(5);
    expect(visible.getPk(EMAIL, oldPk(34))).toBe(7);
    expect(visible.getPk(ROLE, oldPk(78))).toBeNull();
  });
});

describe("the pk map's wire form", () => {
  it("is Sentry's {map_entries: {model: {old pk: {new_id, kind, slug}}}}", () => {
    const map = new PrimaryKeyMap();
    map.insert(USER, oldPk(12), newPk(5), "Inserted");
    expect(JSON.parse(JSON.stringify(map))).toEqual({
      map_entries: { "sentry.user": { "12": { new_id: 5, kind: "Inserted", slug: null } } },
    });
  });

  it("survives a JSON round trip with integer old pks", () => {
    const map = sample();
    const back = PrimaryKeyMap.fromJson(JSON.stringify(map));
    expect(back.toWire()).toEqual(map.toWire());
    expect([...back.getPks(USER)]).toEqual([12, 13]);
    expect(back.getSlug(EMAIL, oldPk(34))).toBe("slug-34");
  });

  it("rejects malformed wire forms", () => {
    const entry = { new_id: 5, kind: "Inserted", slug: null };
    const wire = (entries: unknown) => ({ map_entries: { "sentry.user": entries } });
    expect(() => PrimaryKeyMap.fromWire(wire({ "12": entry }))).not.toThrow();
    expect(() => PrimaryKeyMap.fromWire(wire({ abc: entry }))).toThrow();
    expect(() => PrimaryKeyMap.fromWire(wire({ "1.5": entry }))).toThrow();
    expect(() => PrimaryKeyMap.fromWire(wire({ "12": { ...entry, kind: "Merged" } }))).toThrow();
    expect(() => PrimaryKeyMap.fromWire(wire({ "12": { ...entry, new_id: 0 } }))).toThrow();
    expect(() => PrimaryKeyMap.fromWire(wire({ "12": { ...entry, extra: 1 } }))).toThrow();
    expect(() => PrimaryKeyMap.fromWire({ map_entries: { "Sentry.User": {} } })).toThrow();
    expect(() => PrimaryKeyMap.fromWire({})).toThrow();
  });
});
