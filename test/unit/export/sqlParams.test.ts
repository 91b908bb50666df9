import { describe, expect, it } from "vitest";
import { parseRow, toSqlParam } from "../../../lib/export/index.ts";
import type { ResolvedValue } from "../../../lib/export/index.ts";
import { requireModel, sqlType, toModelName } from "../../../lib/registry/index.ts";

function params(model: string, fields: Record<string, unknown>): Record<string, unknown> {
  const spec = requireModel(model);
  const row = parseRow(spec, { position: 1, model: toModelName(model), pk: 1, fields }, 1);
  const out: Record<string, unknown> = {};
  for (const field of spec.fields) {
    if (field.key in row.values) {
      out[`${field.column}::${sqlType(field)}`] = toSqlParam(
        field,
        row.values[field.key] as ResolvedValue,
      );
    }
  }
  return out;
}

describe("toSqlParam", () => {
  it("serialises option values to JSON text, a JSON null included", () => {
    expect(params("sentry.option", { key: "k", value: '"23.6.1"' })).toMatchObject({
      "value::text": '"23.6.1"',
    });
    expect(params("sentry.option", { key: "k", value: "123" })["value::text"]).toBe("123");
    expect(params("sentry.option", { key: "k", value: null })["value::text"]).toBe("null");
  });

  it("serialises user option values to JSON, and null to SQL NULL", () => {
    expect(
      params("sentry.useroption", { user: 1, key: "timezone", value: '"Europe/Vienna"' }),
    ).toMatchObject({ "value::jsonb": '"Europe/Vienna"', "user_id::bigint": 1 });
    expect(
      params("sentry.useroption", { user: 1, key: "k", value: null })["value::jsonb"],
    ).toBeNull();
  });

  it("passes datetimes, BitFields, arrays and strings through, under registry column names", () => {
    expect(
      params("sentry.user", {
        username: "u",
        name: "N",
        password: "p",
        flags: 3,
        last_login: "2023-06-22T00:00:00Z",
      }),
    ).toMatchObject({
      "first_name::varchar(200)": "N",
      "flags::bigint": "3",
      "last_login::timestamptz": "2023-06-22T00:00:00.000Z",
    });
    expect(params("sentry.userrole", { name: "r", permissions: "['a']" })).toMatchObject({
      "permissions::text[]": ["a"],
    });
  });
});
