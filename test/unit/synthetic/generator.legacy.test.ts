import { describe, expect, it } from "vitest";
import type { SyntheticExportOptions } from "../../support/synthetic/index.ts";
import { parseExport, s, type Row } from "./parse.ts";

const OPTIONS: SyntheticExportOptions = {
  seed: "legacy",
  users: 400,
  options: 20,
  controlOptions: 20,
};
const current = parseExport(OPTIONS);
const legacy = parseExport({ ...OPTIONS, legacy: true });

const NO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const PYTHON_LIST = /^\[('[a-z._]+'(, '[a-z._]+')*)?\]$/;

/** Reads a Python list of plain strings, as the importer must (import-semantics.md §8.2). */
const fromPython = (text: string): unknown => JSON.parse(text.replaceAll("'", '"'));

const key = (r: Row): string => `${r.model}#${r.pk}`;

describe("legacy encodings (backup-format.md §10)", () => {
  const pairs = (model: string): [Row, Row][] => {
    const newer = new Map(current.byModel(model).map((r) => [key(r), r]));
    return legacy.byModel(model).map((r) => {
      const match = newer.get(key(r));
      if (match === undefined) {
        throw new Error(`${key(r)} has no current-format twin`);
      }
      return [r, match];
    });
  };

  it("double-encodes option values", () => {
    for (const model of ["sentry.option", "sentry.controloption"]) {
      for (const [old, now] of pairs(model)) {
        const value = s(old, "value");
        expect(JSON.parse(value)).toEqual(now.fields["value"]);
      }
    }
    expect(legacy.text).toContain(String.raw`"value":"\"23.6.1\""`);
  });

  it("double-encodes string user-option values only", () => {
    const options = pairs("sentry.useroption");
    const strings = options.filter(([, now]) => typeof now.fields["value"] === "string");
    const others = options.filter(([, now]) => typeof now.fields["value"] !== "string");
    expect(strings.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    expect(strings.map(([old]) => JSON.parse(s(old, "value")) as unknown)).toEqual(
      strings.map(([, now]) => now.fields["value"]),
    );
    expect(others.map(([old]) => old.fields["value"])).toEqual(
      others.map(([, now]) => now.fields["value"]),
    );
  });

  it("writes role permissions as Python literals and scope lists as JSON text", () => {
    const roles = pairs("sentry.userrole");
    expect(roles.length).toBeGreaterThan(0);
    for (const [old, now] of roles) {
      expect(s(old, "permissions")).toMatch(PYTHON_LIST);
      expect(fromPython(s(old, "permissions"))).toEqual(now.fields["permissions"]);
    }
    expect(legacy.text).toContain(
      `"permissions":"['broadcasts.admin', 'users.admin', 'options.admin']"`,
    );
    for (const model of ["sentry.apitoken", "sentry.apiauthorization"]) {
      for (const [old, now] of pairs(model)) {
        expect(JSON.parse(s(old, "scope_list"))).toEqual(now.fields["scope_list"]);
      }
    }
  });

  it("drops zero milliseconds from datetimes, keeping the instant", () => {
    const models = [...new Set(current.rows.map((r) => r.model))];
    const shortened = models.flatMap((model) =>
      pairs(model).flatMap(([old, now]) =>
        Object.entries(old.fields)
          .filter(([, value]) => typeof value === "string" && NO_MILLIS.test(value))
          .map(([field, value]) => ({ old: String(value), now: s(now, field) })),
      ),
    );
    expect(shortened.length).toBeGreaterThan(100);
    expect(shortened.filter((d) => Date.parse(d.old) !== Date.parse(d.now))).toEqual([]);
    expect(shortened.filter((d) => !d.now.endsWith(".000Z"))).toEqual([]);
  });

  it("leaves out a false is_unclaimed and carries the removed is_suspended", () => {
    const users = legacy.byModel("sentry.user");
    expect(users.every((u) => u.fields["is_suspended"] === false)).toBe(true);
    expect(users.every((u) => u.fields["is_unclaimed"] !== false)).toBe(true);
    expect(users.filter((u) => !("is_unclaimed" in u.fields)).length).toBeGreaterThan(0);
  });

  it("writes sentry.email rows, one per address compared case-insensitively", () => {
    expect(current.byModel("sentry.email")).toEqual([]);
    const emails = legacy.byModel("sentry.email").map((r) => s(r, "email").toLowerCase());
    const addresses = new Set(
      [...legacy.byModel("sentry.user"), ...legacy.byModel("sentry.useremail")].map((r) =>
        s(r, "email").toLowerCase(),
      ),
    );
    expect(new Set(emails).size).toBe(emails.length);
    expect(new Set(emails)).toEqual(addresses);
  });

  it("changes only encodings: every other field is identical in both modes", () => {
    const legacyOnly = new Set(["is_suspended"]);
    const recoded = new Set(["value", "permissions", "scope_list"]);
    for (const model of new Set(current.rows.map((r) => r.model))) {
      for (const [old, now] of pairs(model)) {
        for (const [field, value] of Object.entries(old.fields)) {
          const same =
            value === now.fields[field] ||
            JSON.stringify(value) === JSON.stringify(now.fields[field]);
          const isDate = typeof value === "string" && NO_MILLIS.test(value);
          if (!same && !isDate && !legacyOnly.has(field) && !recoded.has(field)) {
            throw new Error(
              `${key(old)}.${field}: ${JSON.stringify(value)} vs ${JSON.stringify(now.fields[field])}`,
            );
          }
        }
      }
      expect({ model, rows: legacy.byModel(model).length }).toEqual({
        model,
        rows: current.byModel(model).length,
      });
    }
  });
});

describe('legacy: "mixed"', () => {
  const options: SyntheticExportOptions = { ...OPTIONS, roles: 12 };
  const mixed = parseExport({ ...options, legacy: "mixed" });
  const newer = new Map(parseExport(options).rows.map((r) => [key(r), r]));

  it("encodes some rows of a model the legacy way and others the current way", () => {
    const options = mixed.byModel("sentry.option");
    const doubled = options.filter((r) => {
      const now = newer.get(key(r));
      return typeof r.fields["value"] === "string" && typeof now?.fields["value"] !== "string";
    });
    expect(doubled.length).toBeGreaterThan(0);
    expect(doubled.length).toBeLessThan(options.length);
    const roles = mixed.byModel("sentry.userrole");
    const python = roles.filter((r) => typeof r.fields["permissions"] === "string");
    expect(python.length).toBeGreaterThan(0);
    expect(python.length).toBeLessThan(roles.length);
    const users = mixed.byModel("sentry.user");
    const withoutClaim = users.filter((u) => !("is_unclaimed" in u.fields));
    expect(withoutClaim.length).toBeGreaterThan(0);
    expect(withoutClaim.length).toBeLessThan(users.length);
  });

  it("describes the same data as the current encoding", () => {
    const differences = mixed.rows.flatMap((old) => {
      const now = newer.get(key(old));
      if (now === undefined) {
        return old.model === "sentry.email" ? [] : [key(old)];
      }
      return Object.entries(old.fields)
        .filter(([field, value]) => {
          const other = now.fields[field];
          if (JSON.stringify(value) === JSON.stringify(other) || field === "is_suspended") {
            return false;
          }
          if (typeof value !== "string") {
            return true;
          }
          if (NO_MILLIS.test(value)) {
            return Date.parse(value) !== Date.parse(String(other));
          }
          const decoded: unknown = PYTHON_LIST.test(value) ? fromPython(value) : JSON.parse(value);
          return JSON.stringify(decoded) !== JSON.stringify(other);
        })
        .map(([field]) => `${key(old)}.${field}`);
    });
    expect(differences).toEqual([]);
    expect(mixed.byModel("sentry.email").length).toBeGreaterThan(0);
  });
});
