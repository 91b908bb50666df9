import { describe, expect, it } from "vitest";
import {
  areRelated,
  CHUNK_TABLES,
  CONFIG_MODELS,
  getModel,
  IMPORT_SCOPE_RELOCATION_SCOPES,
  LOST_PASSWORD_HASH_TABLE,
  modelInScope,
  modelTable,
  relatedPairs,
  relocationDependenciesOf,
  requireModel,
  rowInScope,
  rowRelocationScope,
  sqlType,
} from "../../../lib/registry/index.ts";

describe("registry", () => {
  it("lists the 13 Config-scope models in registry order", () => {
    expect(CONFIG_MODELS.map((m) => m.name)).toEqual([
      "sentry.controloption",
      "sentry.option",
      "sentry.relay",
      "sentry.relayusage",
      "sentry.user",
      "sentry.userpermission",
      "sentry.userrole",
      "sentry.userroleuser",
      "sentry.email",
      "sentry.useroption",
      "sentry.useremail",
      "sentry.apitoken",
      "sentry.apiauthorization",
    ]);
    expect(CONFIG_MODELS.map((m) => m.registryOrder)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
    ]);
    const positions = CONFIG_MODELS.map((m) => m.registryPosition);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("looks models up ignoring case", () => {
    expect(getModel("Sentry.User")?.table).toBe("auth_user");
    expect(getModel("sentry.organization")).toBeUndefined();
    expect(() => requireModel("sites.site")).toThrow(/not a registry model/);
  });

  it("maps the user's name to the legacy first_name column", () => {
    const user = requireModel("sentry.user");
    expect(user.fields.find((f) => f.key === "name")?.column).toBe("first_name");
  });

  it("gives every FK the <key>_id column unless the key ends in _id", () => {
    for (const model of CONFIG_MODELS) {
      for (const fk of model.foreignKeys) {
        expect(fk.column).toBe(fk.key.endsWith("_id") ? fk.key : `${fk.key}_id`);
        const field = model.fields.find((f) => f.key === fk.key);
        expect(field?.kind).toBe("fk");
      }
      for (const field of model.fields) {
        expect(field.kind === "fk").toBe(field.references !== undefined);
      }
    }
  });

  it("has unique JSON keys and columns per model, and never an explicit id", () => {
    for (const model of CONFIG_MODELS) {
      const keys = model.fields.map((f) => f.key);
      const columns = model.fields.map((f) => f.column);
      expect(new Set(keys).size).toBe(keys.length);
      expect(new Set(columns).size).toBe(columns.length);
      expect(columns).not.toContain("id");
      for (const u of [...model.uniques, ...model.applicationUniques]) {
        for (const k of u.keys) {
          expect(keys).toContain(k);
        }
      }
      for (const k of model.collisionKey ?? []) {
        expect(keys).toContain(k);
      }
    }
  });

  it("keeps varchar lengths on varchar fields only", () => {
    for (const model of CONFIG_MODELS) {
      for (const f of model.fields) {
        expect(f.pgType === "varchar").toBe(f.maxLength !== null);
      }
    }
    const useremail = modelTable(requireModel("sentry.useremail"));
    expect(useremail.columns.map((c) => `${c.name} ${sqlType(c)}`)).toEqual([
      "id bigserial",
      "user_id bigint",
      "email varchar(200)",
      "validation_hash varchar(32)",
      "date_hash_added timestamptz",
      "is_verified boolean",
    ]);
    expect(useremail.uniques).toEqual([["email", "user_id"]]);
  });

  it("names collision keys only for the overwritable config models (§9.6)", () => {
    const keyed = CONFIG_MODELS.filter((m) => m.collisionKey !== null).map((m) => [
      m.name,
      m.collisionKey,
    ]);
    expect(keyed).toEqual([
      ["sentry.controloption", ["key"]],
      ["sentry.option", ["key"]],
      ["sentry.relay", ["relay_id"]],
      ["sentry.relayusage", ["relay_id", "version"]],
      ["sentry.userrole", ["name"]],
    ]);
  });

  it("picks the chunk table from the silo", () => {
    const region = CONFIG_MODELS.filter((m) => m.chunkTable === "sentry_regionimportchunk");
    expect(region.map((m) => m.name)).toEqual([
      "sentry.option",
      "sentry.relay",
      "sentry.relayusage",
    ]);
    for (const m of CONFIG_MODELS) {
      expect(m.replicaTable === null).toBe(m.silo === "Region");
    }
  });

  it("lists the related pairs of §6.2", () => {
    const pairs = relatedPairs().map(([a, b]) => `${a.slice(7)}–${b.slice(7)}`);
    expect(pairs.sort()).toEqual(
      [
        "user–userpermission",
        "user–userroleuser",
        "userrole–userroleuser",
        "email–user",
        "user–useroption",
        "user–useremail",
        "email–useremail",
        "apitoken–user",
        "apiauthorization–user",
      ].sort(),
    );
    const user = requireModel("sentry.user").name;
    const role = requireModel("sentry.userrole").name;
    const option = requireModel("sentry.option").name;
    expect(areRelated(user, role)).toBe(false);
    expect(areRelated(role, requireModel("sentry.userroleuser").name)).toBe(true);
    expect(areRelated(option, option)).toBe(false);
    expect(relocationDependenciesOf(requireModel("sentry.useremail"))).toEqual([
      "sentry.user",
      "sentry.email",
    ]);
  });

  it("imports {User, Config} in a Config import", () => {
    expect(IMPORT_SCOPE_RELOCATION_SCOPES.Config).toEqual(["User", "Config"]);
    for (const m of CONFIG_MODELS) {
      expect(modelInScope(m, "Config")).toBe(true);
    }
    const userOnly = CONFIG_MODELS.filter((m) => modelInScope(m, "User")).map((m) => m.name);
    expect(userOnly).toEqual([
      "sentry.user",
      "sentry.email",
      "sentry.useroption",
      "sentry.useremail",
    ]);
  });

  it("decides the scope of tokens per row", () => {
    const token = requireModel("sentry.apitoken");
    expect(rowRelocationScope(token, { application: null })).toBe("Config");
    expect(rowRelocationScope(token, { application: 3 })).toBe("Global");
    expect(rowInScope(token, { application: 3 }, "Config")).toBe(false);
    expect(rowInScope(token, { application: 3 }, "Global")).toBe(true);
    expect(rowRelocationScope(requireModel("sentry.user"), {})).toBe("User");
  });

  it("describes the side-effect and ledger tables", () => {
    expect(LOST_PASSWORD_HASH_TABLE.columns.map((c) => c.name)).toEqual([
      "id",
      "user_id",
      "hash",
      "date_added",
    ]);
    for (const table of Object.values(CHUNK_TABLES)) {
      expect(table.columns).toHaveLength(15);
      expect(table.uniques).toEqual([["import_uuid", "model", "min_ordinal"]]);
    }
  });
});
