import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CONFIG_MODELS, FILE_ORDER } from "../../support/synthetic/index.ts";
import { n, parseExport, s, type Row } from "./parse.ts";

/** The JSON keys of import-semantics.md §3.2, in the order Sentry writes them. */
const FIELDS: Readonly<Record<(typeof CONFIG_MODELS)[number], readonly string[]>> = {
  "sentry.controloption": ["key", "last_updated", "last_updated_by", "value"],
  "sentry.option": ["key", "last_updated", "last_updated_by", "value"],
  "sentry.relay": ["relay_id", "public_key", "first_seen", "last_seen", "is_internal"],
  "sentry.relayusage": ["relay_id", "version", "first_seen", "last_seen", "public_key"],
  "sentry.user": [
    "password",
    "last_login",
    "username",
    "name",
    "email",
    "is_staff",
    "is_active",
    "is_superuser",
    "is_managed",
    "is_sentry_app",
    "is_password_expired",
    "is_unclaimed",
    "last_password_change",
    "flags",
    "session_nonce",
    "date_joined",
    "last_active",
    "avatar_type",
    "avatar_url",
  ],
  "sentry.userpermission": ["user", "permission"],
  "sentry.userrole": ["date_updated", "date_added", "name", "permissions"],
  "sentry.userroleuser": ["date_updated", "date_added", "user", "role"],
  "sentry.email": ["email", "date_added"],
  "sentry.useroption": ["user", "project_id", "organization_id", "key", "value"],
  "sentry.useremail": ["user", "email", "validation_hash", "date_hash_added", "is_verified"],
  "sentry.apitoken": [
    "application",
    "user",
    "scoping_organization_id",
    "name",
    "token",
    "hashed_token",
    "token_type",
    "token_last_characters",
    "refresh_token",
    "hashed_refresh_token",
    "expires_at",
    "date_added",
    "scopes",
    "scope_list",
  ],
  "sentry.apiauthorization": [
    "application",
    "user",
    "date_added",
    "organization_id",
    "scopes",
    "scope_list",
  ],
};

const DATETIME_FIELDS = new Set([
  "last_updated",
  "first_seen",
  "last_seen",
  "last_login",
  "last_password_change",
  "date_joined",
  "last_active",
  "date_added",
  "date_updated",
  "date_hash_added",
  "expires_at",
  "created_at",
  "last_used_at",
]);

/** Sentry's current datetime form (backup-format.md §9). */
const CURRENT_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** varchar limits of §3.2 that generated values must respect. */
const MAX_LENGTHS: readonly (readonly [string, string, number])[] = [
  ["sentry.user", "username", 128],
  ["sentry.user", "name", 200],
  ["sentry.user", "email", 75],
  ["sentry.user", "password", 128],
  ["sentry.user", "session_nonce", 12],
  ["sentry.user", "avatar_url", 120],
  ["sentry.email", "email", 200],
  ["sentry.useremail", "email", 200],
  ["sentry.useremail", "validation_hash", 32],
  ["sentry.useroption", "key", 64],
  ["sentry.userpermission", "permission", 32],
  ["sentry.userrole", "name", 32],
  ["sentry.option", "key", 128],
  ["sentry.option", "last_updated_by", 16],
  ["sentry.controloption", "key", 128],
  ["sentry.controloption", "last_updated_by", 16],
  ["sentry.relay", "relay_id", 64],
  ["sentry.relay", "public_key", 200],
  ["sentry.relayusage", "relay_id", 64],
  ["sentry.relayusage", "version", 32],
  ["sentry.apitoken", "token", 71],
  ["sentry.apitoken", "refresh_token", 71],
  ["sentry.apitoken", "token_type", 7],
  ["sentry.apitoken", "token_last_characters", 4],
];

/** Postgres varchar counts characters (code points), not UTF-16 units. */
const codePoints = (text: string): number =>
  text.length - (text.match(/[\uD800-\uDBFF]/g) ?? []).length;

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

describe("synthetic export shape", () => {
  const full = parseExport({ seed: "shape", users: 400, outOfScope: true, emailRows: true });

  it("is compact JSON, like orjson's output", () => {
    expect(full.text.startsWith('[{"model":')).toBe(true);
    expect(JSON.stringify(JSON.parse(full.text))).toBe(full.text);
  });

  it("writes every model as one run, in Sentry's dependency order", () => {
    const runs: string[] = [];
    for (const row of full.rows) {
      if (runs.at(-1) !== row.model) {
        runs.push(row.model);
      }
    }
    expect(new Set(runs).size).toBe(runs.length);
    expect(runs).toEqual(FILE_ORDER.filter((m) => runs.includes(m)));
    expect(runs).toEqual(expect.arrayContaining([...CONFIG_MODELS]));
  });

  it("numbers each model's rows with ascending consecutive pks from its base", () => {
    const custom = parseExport({
      seed: 3,
      users: 30,
      emailRows: true,
      pkBases: { "sentry.user": 101, "sentry.useroption": 1001, "sentry.email": 34 },
    });
    for (const model of FILE_ORDER) {
      const pks = custom.byModel(model).map((r) => r.pk);
      const base = { "sentry.user": 101, "sentry.useroption": 1001, "sentry.email": 34 }[
        model as string
      ];
      pks.forEach((pk, k) => {
        expect(pk).toBe((base ?? 1) + k);
      });
    }
  });

  it("gives every Config model exactly the fields of import-semantics §3.2", () => {
    for (const model of CONFIG_MODELS) {
      const rows = full.byModel(model);
      expect({ model, rows: rows.length > 0 }).toEqual({ model, rows: true });
      const wrong = rows.filter((r) => Object.keys(r.fields).join() !== FIELDS[model].join());
      expect(wrong).toEqual([]);
    }
  });

  it("writes datetimes as YYYY-MM-DDTHH:MM:SS.mmmZ and BitFields as decimal strings", () => {
    const datetimes = full.rows.flatMap((row) =>
      Object.entries(row.fields)
        .filter(([field, value]) => DATETIME_FIELDS.has(field) && value !== null)
        .map(([field, value]) => ({ at: `${row.model}#${row.pk}.${field}`, value })),
    );
    expect(datetimes.length).toBeGreaterThan(1000);
    expect(datetimes.filter((d) => !CURRENT_DATETIME.test(String(d.value)))).toEqual([]);
    for (const row of [
      ...full.byModel("sentry.apitoken"),
      ...full.byModel("sentry.apiauthorization"),
    ]) {
      expect(s(row, "scopes")).toMatch(/^\d+$/);
    }
    for (const row of full.byModel("sentry.user")) {
      expect(s(row, "flags")).toMatch(/^\d+$/);
      expect([0, 1, 2]).toContain(n(row, "avatar_type"));
    }
  });

  it("respects the column lengths and includes the boundary values", () => {
    const tooLong = MAX_LENGTHS.flatMap(([model, field, max]) =>
      full
        .byModel(model)
        .filter((r) => typeof r.fields[field] === "string" && codePoints(s(r, field)) > max)
        .map((r) => `${model}#${r.pk}.${field}`),
    );
    expect(tooLong).toEqual([]);
    const users = full.byModel("sentry.user");
    expect(users.some((u) => s(u, "username").length === 128)).toBe(true);
    expect(users.some((u) => codePoints(s(u, "name")) === 200)).toBe(true);
    expect(users.some((u) => /["\\\t]/.test(s(u, "name")))).toBe(true);
  });

  it("writes user options that pass Sentry's user-settings validation", () => {
    const valid = (key: string, value: unknown): boolean => {
      switch (key) {
        case "timezone":
          try {
            new Intl.DateTimeFormat("en", { timeZone: String(value) });
            return true;
          } catch {
            return false;
          }
        case "theme":
          return ["light", "dark", "system"].includes(String(value));
        case "language":
          return /^[a-z]{2}(-[a-z]{2})?$/.test(String(value));
        default:
          return true;
      }
    };
    const options = full.byModel("sentry.useroption");
    expect([...new Set(options.map((o) => s(o, "key")))]).toEqual(
      expect.arrayContaining(["timezone", "theme", "language"]),
    );
    expect(options.filter((o) => !valid(s(o, "key"), o.fields["value"]))).toEqual([]);
  });

  it("keeps token hashes consistent with the plaintext", () => {
    const tokens = full.byModel("sentry.apitoken");
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) {
      const token = s(t, "token");
      expect(t.fields["hashed_token"]).toBe(sha256(token));
      expect(t.fields["token_last_characters"]).toBe(token.slice(-4));
      const refresh = t.fields["refresh_token"];
      expect(t.fields["hashed_refresh_token"]).toBe(
        typeof refresh === "string" ? sha256(refresh) : null,
      );
    }
    expect(
      tokens.some((t) => t.fields["refresh_token"] === null && t.fields["expires_at"] === null),
    ).toBe(true);
    expect(
      tokens.some((t) => t.fields["refresh_token"] !== null && t.fields["expires_at"] !== null),
    ).toBe(true);
  });

  it("has option values of every JSON kind", () => {
    const many = parseExport({ seed: 5, users: 0, options: 30, controlOptions: 30 });
    const kinds = new Set(
      [...many.byModel("sentry.option"), ...many.byModel("sentry.controloption")].map((r) => {
        const v = r.fields["value"];
        return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
      }),
    );
    expect([...kinds].sort()).toEqual(["array", "boolean", "null", "number", "object", "string"]);
  });

  it("never repeats a value that a unique constraint covers", () => {
    const unique = (rows: readonly Row[], key: (r: Row) => string): void => {
      const keys = rows.map(key);
      expect(new Set(keys).size).toBe(keys.length);
    };
    unique(full.byModel("sentry.user"), (r) => s(r, "username").toLowerCase());
    unique(full.byModel("sentry.email"), (r) => s(r, "email").toLowerCase());
    unique(full.byModel("sentry.useremail"), (r) => `${n(r, "user")} ${s(r, "email")}`);
    unique(full.byModel("sentry.userpermission"), (r) => `${n(r, "user")} ${s(r, "permission")}`);
    unique(full.byModel("sentry.userrole"), (r) => s(r, "name"));
    unique(full.byModel("sentry.userroleuser"), (r) => `${n(r, "user")} ${n(r, "role")}`);
    unique(full.byModel("sentry.option"), (r) => s(r, "key"));
    unique(full.byModel("sentry.controloption"), (r) => s(r, "key"));
    unique(full.byModel("sentry.relay"), (r) => s(r, "relay_id"));
    unique(full.byModel("sentry.relayusage"), (r) => `${s(r, "relay_id")} ${s(r, "version")}`);
    unique(full.byModel("sentry.apitoken"), (r) => s(r, "token"));
    unique(
      full.byModel("sentry.useroption"),
      (r) =>
        `${n(r, "user")} ${s(r, "key")} ${String(r.fields["organization_id"])} ${String(r.fields["project_id"])}`,
    );
  });

  it("shares some addresses between users, in several letter cases", () => {
    const users = full.byModel("sentry.user").filter((u) => s(u, "email") !== "");
    const byLower = new Map<string, Set<string>>();
    for (const u of users) {
      const email = s(u, "email");
      const spellings = byLower.get(email.toLowerCase()) ?? new Set();
      spellings.add(email);
      byLower.set(email.toLowerCase(), spellings);
    }
    expect(byLower.size).toBeLessThan(users.length);
    expect([...byLower.values()].some((spellings) => spellings.size > 1)).toBe(true);
    const userEmails = full.byModel("sentry.useremail");
    const perUser = new Map<number, string[]>();
    for (const ue of userEmails) {
      perUser.set(n(ue, "user"), [...(perUser.get(n(ue, "user")) ?? []), s(ue, "email")]);
    }
    // A secondary that differs from the primary only in letter case.
    expect(
      [...perUser.values()].some(
        (list) => list.length === 2 && list[0]?.toLowerCase() === list[1]?.toLowerCase(),
      ),
    ).toBe(true);
  });

  it("includes staff, superusers, managed users and Sentry-app users", () => {
    const big = parseExport({ seed: 9, users: 2000 });
    const users = big.byModel("sentry.user");
    const count = (field: string, value: unknown): number =>
      users.filter((u) => u.fields[field] === value).length;
    expect(count("is_staff", true)).toBeGreaterThan(1);
    expect(count("is_superuser", true)).toBeGreaterThan(1);
    expect(count("is_managed", true)).toBeGreaterThan(0);
    expect(count("is_active", false)).toBeGreaterThan(0);
    const apps = users.filter((u) => u.fields["is_sentry_app"] === true);
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) {
      expect(app.fields["email"]).toBe("");
      expect(app.fields["is_unclaimed"]).toBe(true);
    }
  });

  it("writes org- and project-scoped user options next to global ones", () => {
    const options = full.byModel("sentry.useroption");
    expect(options.some((o) => o.fields["organization_id"] !== null)).toBe(true);
    expect(options.some((o) => o.fields["project_id"] !== null)).toBe(true);
    expect(
      options.some((o) => o.fields["organization_id"] === null && o.fields["project_id"] === null),
    ).toBe(true);
  });

  it("writes only the Config models unless asked for out-of-scope rows", () => {
    const plain = parseExport({ seed: "shape", users: 50 });
    const models = new Set(plain.rows.map((r) => r.model));
    expect([...models].every((m) => (CONFIG_MODELS as readonly string[]).includes(m))).toBe(true);
    const outOfScope = [
      "sites.site",
      "sentry.organization",
      "sentry.project",
      "sentry.authenticator",
    ];
    expect(outOfScope.filter((m) => full.byModel(m).length === 0)).toEqual([]);
  });
});
