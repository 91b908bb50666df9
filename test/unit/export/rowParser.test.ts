import { describe, expect, it } from "vitest";
import { ImportFailure } from "../../../lib/errors.ts";
import { NaturalKey, parseRow, validateRow } from "../../../lib/export/index.ts";
import type { ExportRow, ParsedRow } from "../../../lib/export/index.ts";
import { requireModel, toModelName } from "../../../lib/registry/index.ts";

function row(model: string, fields: Record<string, unknown>, pk = 5, position = 9): ExportRow {
  return { position, model: toModelName(model), pk, fields };
}

function parse(model: string, fields: Record<string, unknown>, ordinal = 2): ParsedRow {
  return parseRow(requireModel(model), row(model, fields), ordinal);
}

function failureOf(fn: () => unknown): ImportFailure {
  try {
    fn();
  } catch (error) {
    if (error instanceof ImportFailure) {
      return error;
    }
    throw error;
  }
  throw new Error("expected a failure");
}

const USER = {
  password: "pbkdf2_sha256$150000$salt$hash=",
  username: "max_user",
  email: "maximum@example.com",
};

describe("parseRow: defaults and ignored input", () => {
  it("fills static defaults and leaves clock/random defaults to the writer", () => {
    const parsed = parse("sentry.user", USER);
    expect(parsed.values).toEqual({
      password: USER.password,
      last_login: null,
      username: "max_user",
      name: "",
      email: "maximum@example.com",
      is_staff: false,
      is_active: true,
      is_unclaimed: false,
      is_superuser: false,
      is_managed: false,
      is_sentry_app: null,
      is_password_expired: false,
      last_password_change: null,
      flags: "0",
      session_nonce: null,
      avatar_type: 0,
      avatar_url: null,
    });
    expect(parsed.generate).toEqual({ date_joined: "now", last_active: "now" });
    expect(parsed).toMatchObject({ model: "sentry.user", pk: 5, position: 9, ordinal: 2 });
  });

  it("leaves an explicit null where the field is nullable, even if its default is generated", () => {
    const parsed = parse("sentry.user", { ...USER, last_active: null });
    expect(parsed.values["last_active"]).toBeNull();
    expect(parsed.generate).toEqual({ date_joined: "now" });
  });

  it("marks the generated defaults of tokens", () => {
    const parsed = parse("sentry.apitoken", { user: 1 });
    expect(parsed.generate).toEqual({
      token: "generatedToken",
      refresh_token: "generatedToken",
      expires_at: "nowPlus30Days",
      date_added: "now",
    });
    expect(parsed.values).toMatchObject({ scopes: "0", scope_list: [], application: null });
  });

  it("marks a missing validation hash as 32 random characters", () => {
    const parsed = parse("sentry.useremail", { user: 1, email: "a@example.com" });
    expect(parsed.generate).toEqual({ validation_hash: "randomAlnum32", date_hash_added: "now" });
    expect(parsed.values["is_verified"]).toBe(false);
  });

  it("defaults option fields as Sentry does", () => {
    const parsed = parse("sentry.option", { key: "k", value: '"v"' });
    expect(parsed.values).toEqual({ key: "k", last_updated_by: "unknown", value: "v" });
    expect(parsed.generate).toEqual({ last_updated: "now" });
    expect(parse("sentry.relayusage", { relay_id: "r" }).values["version"]).toBe("0.0.1");
  });

  it("gives every row its own copy of a list default", () => {
    const a = parse("sentry.userrole", { name: "a" });
    const b = parse("sentry.userrole", { name: "b" });
    expect(a.values["permissions"]).toEqual([]);
    expect(a.values["permissions"]).not.toBe(b.values["permissions"]);
  });

  it("ignores unknown and removed fields", () => {
    const parsed = parse("sentry.user", { ...USER, doesnotexist: "foo", is_suspended: false });
    expect(parsed.values).not.toHaveProperty("doesnotexist");
    expect(parsed.values).not.toHaveProperty("is_suspended");
  });

  it("gives a missing string field without default Django's empty string", () => {
    const parsed = parse("sentry.relay", { relay_id: "r" });
    expect(parsed.values["public_key"]).toBe("");
  });

  it("stores a JSON null option value as null", () => {
    expect(parse("sentry.option", { key: "k", value: null }).values["value"]).toBeNull();
    expect(
      parse("sentry.useroption", { user: 1, key: "k", value: null }).values["value"],
    ).toBeNull();
  });
});

describe("parseRow: coercion failures (DeserializationFailed)", () => {
  it.each([
    ["sentry.option", { key: "k", value: 1, last_updated: "not-a-date" }, "last_updated"],
    ["sentry.user", { ...USER, is_staff: "yes" }, "is_staff"],
    ["sentry.user", { ...USER, flags: "x" }, "flags"],
    ["sentry.user", { ...USER, avatar_type: "0" }, "avatar_type"],
    ["sentry.user", { ...USER, name: null }, "name"],
    ["sentry.user", { ...USER, username: 12 }, "username"],
    ["sentry.useremail", { user: "12", email: "a@b" }, "user"],
    ["sentry.useremail", { email: "a@b" }, "user"],
    ["sentry.userroleuser", { user: 1, role: ["Super Admin"] }, "role"],
    ["sentry.userroleuser", { user: ["a", "b"], role: 1 }, "user"],
    ["sentry.userrole", { name: "r", permissions: "users.admin" }, "permissions"],
    ["sentry.userrole", { name: "r", permissions: null }, "permissions"],
  ])("%s %j fails on %s", (model, fields, field) => {
    const error = failureOf(() => parse(model, fields));
    expect(error.code).toBe("DeserializationFailed");
    expect(error.on).toEqual({ model, ordinal: 2, position: 9, field });
    expect(error.leftPk).toBe(5);
    expect(error.message).toContain(`${model} ${field}:`);
  });
});

describe("parseRow: validation (ValidationError)", () => {
  it.each([
    ["sentry.user", { ...USER, username: "" }, "username", /cannot be blank/],
    ["sentry.user", { password: "x", email: "e" }, "username", /cannot be blank/],
    ["sentry.user", { ...USER, username: "u".repeat(129) }, "username", /at most 128/],
    [
      "sentry.user",
      { ...USER, name: "n".repeat(201) },
      "name",
      /at most 200 characters \(it has 201\)/,
    ],
    ["sentry.user", { ...USER, email: `${"e".repeat(70)}@x.com` }, "email", /at most 75/],
    ["sentry.user", { ...USER, session_nonce: "n".repeat(13) }, "session_nonce", /at most 12/],
    ["sentry.user", { ...USER, avatar_type: -1 }, "avatar_type", /greater than or equal to 0/],
    ["sentry.user", { ...USER, avatar_type: 40000 }, "avatar_type", /smallint/],
    ["sentry.userrole", { name: "r".repeat(33) }, "name", /at most 32/],
    ["sentry.userpermission", { user: 1, permission: "p".repeat(33) }, "permission", /at most 32/],
    ["sentry.option", { key: "k".repeat(129), value: 1 }, "key", /at most 128/],
    [
      "sentry.option",
      { key: "k", value: 1, last_updated_by: "x".repeat(17) },
      "last_updated_by",
      /at most 16/,
    ],
    ["sentry.relay", { relay_id: "r".repeat(65), public_key: "k" }, "relay_id", /at most 64/],
    ["sentry.apitoken", { user: 1, token: "t".repeat(72) }, "token", /at most 71/],
    ["sentry.useroption", { user: 1, key: "k".repeat(65), value: 1 }, "key", /at most 64/],
    [
      "sentry.useroption",
      { user: 1, key: "timezone", value: "MiddleEarth/Gondor" },
      "value",
      /not a valid choice/,
    ],
    [
      "sentry.useroption",
      { user: 1, key: "timezone", value: '"MiddleEarth/Gondor"' },
      "value",
      /MiddleEarth\/Gondor/,
    ],
    [
      "sentry.useroption",
      { user: 1, key: "timezone", value: "+01:00" },
      "value",
      /not a valid choice/,
    ],
    ["sentry.useroption", { user: 1, key: "timezone", value: 3 }, "value", /must be a string/],
    ["sentry.useroption", { user: 1, key: "language", value: "xx" }, "value", /not a valid choice/],
    ["sentry.useroption", { user: 1, key: "language", value: null }, "value", /must be a string/],
    ["sentry.useroption", { user: 1, key: "theme", value: "blue" }, "value", /not a valid choice/],
  ])("%s %j fails on %s", (model, fields, field, reason) => {
    const error = failureOf(() => parse(model, fields));
    expect(error.code).toBe("ValidationError");
    expect(error.on).toEqual({ model, ordinal: 2, position: 9, field });
    expect(error.leftPk).toBe(5);
    expect(error.message).toMatch(reason);
  });

  it("counts length in characters, not UTF-16 units", () => {
    expect(() => parse("sentry.user", { ...USER, username: "😀".repeat(128) })).not.toThrow();
    expect(() => parse("sentry.user", { ...USER, username: "😀".repeat(129) })).toThrow(
      /at most 128/,
    );
  });

  it.each([
    ["timezone", "Europe/Vienna"],
    ["timezone", '"Europe/Vienna"'],
    ["timezone", "UTC"],
    // an alias: Intl accepts it, as Sentry's pytz list does
    ["timezone", "US/Eastern"],
    ["language", "en"],
    ["language", "pt-br"],
    ["language", "zh-tw"],
    ["theme", "light"],
    ["theme", "dark"],
    ["theme", "system"],
    ["stacktrace_order", "anything"],
    ["clock_24_hours", true],
  ])("accepts the user option %s = %j", (key, value) => {
    expect(() => parse("sentry.useroption", { user: 1, key, value })).not.toThrow();
  });

  it("does not check lengths that only Sentry's forms enforce", () => {
    const email = `${"e".repeat(250)}@example.com`;
    expect(parse("sentry.email", { email }).values["email"]).toBe(email);
  });

  it("can leave validation to the caller", () => {
    const spec = requireModel("sentry.user");
    const parsed = parseRow(spec, row("sentry.user", { ...USER, username: "" }), 1, {
      validate: false,
    });
    expect(parsed.values["username"]).toBe("");
    expect(() => {
      validateRow(parsed);
    }).toThrow(ImportFailure);
  });
});

describe("parseRow: natural keys", () => {
  it("keeps a natural key in an FK to sentry.user", () => {
    const parsed = parse("sentry.useremail", { user: ["user@example.com"], email: "a@b" });
    const user = parsed.values["user"];
    expect(user).toBeInstanceOf(NaturalKey);
    expect(user instanceof NaturalKey ? user.key : null).toBe("user@example.com");
  });

  it("keeps plain pks as numbers", () => {
    expect(parse("sentry.userroleuser", { user: 3, role: 4 }).values).toMatchObject({
      user: 3,
      role: 4,
    });
  });
});
