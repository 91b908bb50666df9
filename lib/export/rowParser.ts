/**
 * Turns a raw export row into a typed record for its registry model (import-semantics.md §7
 * step 3, §8): unknown and removed keys are ignored, missing keys take the model default, values
 * are coerced by field kind. Validation (§9.1, §9.5, §17) runs afterwards unless turned off.
 */
import { ImportFailure } from "../errors.ts";
import { USER } from "../registry/names.ts";
import type { FieldSpec, GeneratedDefault, ModelSpec } from "../registry/types.ts";
import type { ExportRow } from "./envelope.ts";
import type { JsonValue } from "./json.ts";
import { NaturalKey } from "./row.ts";
import type { FieldValue, ParsedRow } from "./row.ts";
import { validateRow } from "./validate.ts";
import { readTextArray } from "./values/arrays.ts";
import { readDatetime } from "./values/datetime.ts";
import { readOptionValue, readUserOptionValue } from "./values/options.ts";
import { readBitField, readBoolean, readInteger, readString } from "./values/scalars.ts";
import { describeValue, ValueError } from "./values/valueError.ts";

/** Fields whose values are secrets: error messages describe them without quoting them. */
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  "password",
  "session_nonce",
  "validation_hash",
  "token",
  "hashed_token",
  "refresh_token",
  "hashed_refresh_token",
]);

export interface ParseRowOptions {
  /**
   * Run `validateRow` too (default true). Sentry validates only rows it is about to write, so a
   * caller that skips rows (filters, scope) may parse first and validate the survivors.
   */
  readonly validate?: boolean;
}

function readFk(field: FieldSpec, raw: unknown): number | NaturalKey {
  if (Array.isArray(raw)) {
    // Django natural keys; only users have one among these models (decision f)
    if (field.references?.target === USER && raw.length === 1 && typeof raw[0] === "string") {
      return new NaturalKey([raw[0]]);
    }
    throw new ValueError(`expected a pk, got the natural key ${describeValue(raw)}`);
  }
  return readInteger(raw);
}

function readValue(field: FieldSpec, raw: unknown): FieldValue {
  switch (field.kind) {
    case "datetime":
      return readDatetime(raw);
    case "boolean":
      return readBoolean(raw);
    case "bitfield":
      return readBitField(raw);
    case "integer":
      return readInteger(raw);
    case "string":
    case "citext":
      return readString(raw);
    case "fk":
      return readFk(field, raw);
    case "optionValue":
      return readOptionValue(raw);
    case "userOptionValue":
      return readUserOptionValue(raw);
    case "textArray":
      return readTextArray(raw);
  }
}

function staticCopy(v: JsonValue): JsonValue {
  return Array.isArray(v) ? [...(v as readonly JsonValue[])] : v;
}

function fieldFailure(
  spec: ModelSpec,
  field: FieldSpec,
  row: ExportRow,
  ordinal: number,
  reason: string,
  cause?: unknown,
): ImportFailure {
  return new ImportFailure("DeserializationFailed", `${spec.name} ${field.key}: ${reason}`, {
    on: { model: spec.name, ordinal, position: row.position, field: field.key },
    leftPk: row.pk,
    cause,
  });
}

/**
 * Parses one row of a registry model.
 *
 * @param spec the row's model (the caller has looked it up with `getModel(row.model)`)
 * @param ordinal the row's 1-based ordinal within its model's run, for error locations
 * @throws ImportFailure `DeserializationFailed` when a value can't be coerced (or a field without
 *   default is missing or null), `ValidationError` when validation fails; `on` names model,
 *   ordinal, position and field, and `leftPk` is the row's pk.
 */
export function parseRow(
  spec: ModelSpec,
  row: ExportRow,
  ordinal: number,
  options: ParseRowOptions = {},
): ParsedRow {
  const values: Record<string, FieldValue> = {};
  const generate: Record<string, GeneratedDefault> = {};

  for (const field of spec.fields) {
    if (!Object.hasOwn(row.fields, field.key)) {
      const d = field.default;
      switch (d.kind) {
        case "value":
          values[field.key] = staticCopy(d.value);
          break;
        case "generated":
          generate[field.key] = d.generator;
          break;
        case "none":
          // Django gives a missing string field "" (blank checks happen in validation)
          if (field.kind === "string" || field.kind === "citext") {
            values[field.key] = "";
            break;
          }
          throw fieldFailure(spec, field, row, ordinal, "is required but missing");
      }
      continue;
    }

    const raw = row.fields[field.key];
    if (raw === null) {
      if (field.nullable || field.kind === "optionValue" || field.kind === "userOptionValue") {
        values[field.key] = null;
        continue;
      }
      throw fieldFailure(spec, field, row, ordinal, "may not be null");
    }
    try {
      values[field.key] = readValue(field, raw);
    } catch (error) {
      if (error instanceof ValueError) {
        // findings and logs must never carry a secret, not even a piece of one
        throw SECRET_FIELDS.has(field.key)
          ? fieldFailure(
              spec,
              field,
              row,
              ordinal,
              `cannot be read as ${field.kind} (the value is not shown: it is a secret)`,
            )
          : fieldFailure(spec, field, row, ordinal, error.message, error);
      }
      throw error;
    }
  }

  const parsed: ParsedRow = {
    model: spec.name,
    spec,
    pk: row.pk,
    position: row.position,
    ordinal,
    values,
    generate,
  };
  if (options.validate ?? true) {
    validateRow(parsed);
  }
  return parsed;
}
