/**
 * How a parsed value becomes a query parameter for its column, so writers do not repeat the
 * per-kind rules. Parameters are what node-postgres and PGlite send as text:
 * - `timestamptz`: the normalised ISO string (exact to the microsecond);
 * - BitFields: the decimal string, cast to `bigint` by Postgres;
 * - `sentry.option(.controloption).value` (text holding JSON): `JSON.stringify` of the value, so
 *   a JSON null becomes the text `null` (the column is NOT NULL);
 * - `sentry.useroption.value` (jsonb): `JSON.stringify` of the value, and SQL NULL for null;
 * - `text[]`: the string array (the drivers serialise arrays);
 * - everything else unchanged.
 */
import type { FieldSpec } from "../registry/types.ts";
import type { ResolvedValue } from "./row.ts";

export function toSqlParam(field: FieldSpec, value: ResolvedValue): unknown {
  switch (field.kind) {
    case "optionValue":
      return JSON.stringify(value);
    case "userOptionValue":
      return value === null ? null : JSON.stringify(value);
    case "datetime":
    case "boolean":
    case "bitfield":
    case "integer":
    case "string":
    case "citext":
    case "fk":
    case "textArray":
      return value;
  }
}
