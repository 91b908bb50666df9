/**
 * Pre-validation of a parsed row (import-semantics.md §17): everything Sentry would reject at
 * write time that can be decided without the database.
 * - every string within its column's length (§3.2), counted in characters (code points);
 * - `sentry.user`: username non-blank and ≤ 128, name ≤ 200 (§9.1);
 * - `sentry.useroption`: `language`, `timezone` and `theme` values (§9.5);
 * - integers within their CHECK and `smallint` range.
 * Username collisions need the database and are the writer's business (decision b).
 */
import { ImportFailure } from "../errors.ts";
import { USER, USER_OPTION } from "../registry/names.ts";
import type { FieldSpec } from "../registry/types.ts";
import { LANGUAGE_CODES, THEMES } from "./languages.ts";
import type { FieldValue, ParsedRow } from "./row.ts";
import { codePointLength } from "./values/scalars.ts";
import { describeValue } from "./values/valueError.ts";

const SMALLINT_MAX = 32767;

function failure(row: ParsedRow, field: string, reason: string): ImportFailure {
  return new ImportFailure("ValidationError", `${row.model} ${field}: ${reason}`, {
    on: { model: row.model, ordinal: row.ordinal, position: row.position, field },
    leftPk: row.pk,
  });
}

function checkField(row: ParsedRow, field: FieldSpec, value: FieldValue | undefined): void {
  if (typeof value === "string" && field.maxLength !== null) {
    const length = codePointLength(value);
    if (length > field.maxLength) {
      // Django's wording
      throw failure(
        row,
        field.key,
        `Ensure this value has at most ${field.maxLength} characters (it has ${length}).`,
      );
    }
  }
  if (typeof value === "number" && field.kind === "integer") {
    if (field.min !== undefined && value < field.min) {
      throw failure(row, field.key, `Ensure this value is greater than or equal to ${field.min}.`);
    }
    if (field.pgType === "smallint" && (value > SMALLINT_MAX || value < -SMALLINT_MAX - 1)) {
      throw failure(row, field.key, "value out of the smallint range");
    }
  }
}

/** Whether Node's ICU knows the zone (aliases included), as `Intl.DateTimeFormat` decides. */
export function isKnownTimeZone(name: string): boolean {
  // offsets such as "+01:00" are accepted by recent ICU but are not IANA zone names
  if (name === "" || /^[+-]/.test(name)) {
    return false;
  }
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The checks of Sentry's `UserOptionsSerializer` for keys that coincide with an API field; other
 * keys pass unchecked. Returns a reason, or null when the value is acceptable.
 */
export function userOptionProblem(key: string, value: FieldValue | undefined): string | null {
  const choice = (valid: (s: string) => boolean): string | null => {
    if (typeof value !== "string") {
      return `"${key}" must be a string choice, got ${describeValue(value)}`;
    }
    return valid(value) ? null : `"${value}" is not a valid choice for ${key}.`;
  };
  switch (key) {
    case "language":
      return choice((s) => LANGUAGE_CODES.has(s));
    case "timezone":
      return choice(isKnownTimeZone);
    case "theme":
      return choice((s) => THEMES.has(s));
    default:
      return null;
  }
}

/**
 * Validates a parsed row.
 *
 * @throws ImportFailure `ValidationError` naming model, ordinal, position and field.
 */
export function validateRow(row: ParsedRow): void {
  const { values } = row;
  if (row.model === USER) {
    const username = values["username"];
    if (username === "" || username === undefined) {
      throw failure(row, "username", "This field cannot be blank.");
    }
  }
  for (const field of row.spec.fields) {
    checkField(row, field, values[field.key]);
  }
  if (row.model === USER_OPTION) {
    const key = values["key"];
    if (typeof key === "string") {
      const problem = userOptionProblem(key, values["value"]);
      if (problem !== null) {
        throw failure(row, "value", problem);
      }
    }
  }
}
