import { describe, expect, it } from "vitest";
import {
  hasNaturalKeys,
  parseRow,
  resolveNaturalKeys,
  UserKeyIndex,
} from "../../../lib/export/index.ts";
import type { ExportRow } from "../../../lib/export/index.ts";
import { requireModel, toModelName } from "../../../lib/registry/index.ts";

function user(pk: number, username: string, email: string): ExportRow {
  return { position: pk, model: toModelName("sentry.user"), pk, fields: { username, email } };
}

const INDEX = UserKeyIndex.fromRows([
  user(1, "user@example.com", "user@example.com"),
  user(2, "admin", "admin@localhost"),
  user(3, "twin", "shared@example.com"),
  user(4, "twin", "shared@example.com"),
  user(5, "app", ""),
  { position: 6, model: toModelName("sentry.email"), pk: 9, fields: { email: "ghost@x" } },
]);

function useremail(userRef: unknown, pk = 7) {
  return parseRow(
    requireModel("sentry.useremail"),
    {
      position: 40,
      model: toModelName("sentry.useremail"),
      pk,
      fields: { user: userRef, email: "e" },
    },
    3,
  );
}

describe("UserKeyIndex", () => {
  it("resolves by username first", () => {
    expect(INDEX.resolve("user@example.com")).toEqual({ kind: "resolved", pk: 1 });
    expect(INDEX.resolve("admin")).toEqual({ kind: "resolved", pk: 2 });
  });

  it("falls back to the email of exactly one user", () => {
    expect(INDEX.resolve("admin@localhost")).toEqual({ kind: "resolved", pk: 2 });
    expect(INDEX.resolve("shared@example.com")).toEqual({
      kind: "unresolvable",
      reason: "ambiguous",
    });
  });

  it("treats a username shared by several rows as ambiguous", () => {
    expect(INDEX.resolve("twin")).toEqual({ kind: "unresolvable", reason: "ambiguous" });
  });

  it("reports keys that match nothing, and never matches an empty email", () => {
    expect(INDEX.resolve("nobody")).toEqual({ kind: "unresolvable", reason: "noMatch" });
    expect(INDEX.resolve("")).toEqual({ kind: "unresolvable", reason: "noMatch" });
    expect(INDEX.resolve("ghost@x")).toEqual({ kind: "unresolvable", reason: "noMatch" });
  });
});

describe("resolveNaturalKeys", () => {
  it("replaces a natural key with the file pk", () => {
    const parsed = useremail(["admin"]);
    expect(hasNaturalKeys(parsed)).toBe(true);
    const result = resolveNaturalKeys(parsed, INDEX);
    if (result.kind !== "resolved") {
      throw new Error("expected the key to resolve");
    }
    expect(result.row.values["user"]).toBe(2);
    expect(hasNaturalKeys(result.row)).toBe(false);
    expect(result.row.values["email"]).toBe("e");
  });

  it("returns rows without natural keys unchanged", () => {
    const parsed = useremail(4);
    expect(resolveNaturalKeys(parsed, INDEX)).toEqual({ kind: "resolved", row: parsed });
  });

  it("describes an unresolvable reference for the report instead of throwing", () => {
    expect(resolveNaturalKeys(useremail(["nobody"]), INDEX)).toEqual({
      kind: "unresolvable",
      reference: {
        model: "sentry.useremail",
        pk: 7,
        position: 40,
        ordinal: 3,
        field: "user",
        key: "nobody",
        reason: "noMatch",
      },
    });
  });
});
