/**
 * Pre-validation of a parsed row (import-semantics.md §17): everything Sentry would reject at
 * write time that can be decided without the database.
 * - every string within its column's length (§3.2), counted in characters (code points), and
 *   free of what Postgres cannot store (U+0000, unpaired surrogates);
 * - `sentry.user`: username non-blank and ≤ 128, name ≤ 200 (§9.1);
 * - `sentry.useroption`: `language`, `timezone` and `theme` values (§9.5);
 * - integers within their CHECK and `smallint` range.
 * Username collisions need the database and are the writer's business (decision b).
 */
import { ImportFailure } from "../errors.ts";
import { USER, USER_OPTION } from "../registry/names.ts";
import type { FieldSpec } from "../registry/types.ts";
import { LANGUAGE_CODES, THEMES } from "./languages.ts";
import { NaturalKey } from "./row.ts";
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

/** Half of a surrogate pair: not Unicode text, so Postgres's UTF-8 text and jsonb reject it. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * Where a string inside `value` (array elements, object keys and values included) holds a
 * character Postgres cannot store, a description of it; null when there is none.
 */
function unstorableCharacter(value: FieldValue | undefined): string | null {
  if (typeof value === "string") {
    if (value.includes("\u0000")) {
      return "contains the NUL character (U+0000), which Postgres cannot store";
    }
    // answered natively in the common case; the regex only names the surrogate
    if (value.isWellFormed()) {
      return null;
    }
    const surrogate = UNPAIRED_SURROGATE.exec(value)?.[0];
    return surrogate === undefined
      ? null
      : `contains an unpaired surrogate (U+${surrogate.charCodeAt(0).toString(16).toUpperCase()}), which is not valid Unicode text`;
  }
  if (Array.isArray(value)) {
    for (const item of value as readonly FieldValue[]) {
      const problem = unstorableCharacter(item);
      if (problem !== null) {
        return problem;
      }
    }
    return null;
  }
  if (typeof value === "object" && value !== null && !(value instanceof NaturalKey)) {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorableCharacter(key) ?? unstorableCharacter(item);
      if (problem !== null) {
        return problem;
      }
    }
  }
  return null;
}

function checkField(row: ParsedRow, field: FieldSpec, value: FieldValue | undefined): void {
  // an option value is stored as JSON text, in which such characters travel escaped
  if (field.kind !== "optionValue") {
    const problem = unstorableCharacter(value);
    if (problem !== null) {
      throw failure(row, field.key, problem);
    }
  }
  // a string has no more code points than UTF-16 units: only a longer one needs counting
  if (typeof value === "string" && field.maxLength !== null && value.length > field.maxLength) {
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

/**
 * Answers of `isKnownTimeZone` so far. Building an `Intl.DateTimeFormat` per time-zone option
 * was 30% of the plan pass, and an export repeats a few hundred zone names at most; the cap
 * keeps a file of made-up names from growing it without bound.
 */
const knownTimeZones = new Map<string, boolean>();
const KNOWN_TIME_ZONES_CAP = 10_000;

/** Whether Node's ICU knows the zone (aliases included), as `Intl.DateTimeFormat` decides. */
export function isKnownTimeZone(name: string): boolean {
  const cached = knownTimeZones.get(name);
  if (cached !== undefined) {
    return cached;
  }
  const known = askIcu(name);
  if (knownTimeZones.size < KNOWN_TIME_ZONES_CAP) {
    knownTimeZones.set(name, known);
  }
  return known;
}

function askIcu(name: string): boolean {
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
