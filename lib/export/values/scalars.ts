/** Booleans, BitFields, integers and strings (import-semantics.md §8.1). */
import { describeValue, ValueError } from "./valueError.ts";

/**
 * JSON `true`/`false`, plus the other spellings Django's `BooleanField.to_python` accepts
 * (`1`/`0`, `"t"`/`"f"`, `"True"`/`"False"`, `"1"`/`"0"`), since Sentry would accept them.
 */
export function readBoolean(raw: unknown): boolean {
  if (raw === true || raw === 1 || raw === "t" || raw === "True" || raw === "1") {
    return true;
  }
  if (raw === false || raw === 0 || raw === "f" || raw === "False" || raw === "0") {
    return false;
  }
  throw new ValueError(`expected a boolean, got ${describeValue(raw)}`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^-?\d+$/;

/**
 * A BitField (`flags`, `scopes`): a decimal string (`"0"`, `"10"`) or a JSON integer. Returned as
 * a canonical decimal string so values up to 2^63 − 1 survive (a JS number is exact only to 2^53);
 * Postgres casts the string to `bigint`.
 */
export function readBitField(raw: unknown): string {
  let value: bigint;
  if (typeof raw === "number") {
    if (!Number.isSafeInteger(raw)) {
      throw new ValueError(
        `expected an integer BitField (a decimal string beyond 2^53), got ${describeValue(raw)}`,
      );
    }
    value = BigInt(raw);
  } else if (typeof raw === "string" && DECIMAL.test(raw)) {
    value = BigInt(raw);
  } else {
    throw new ValueError(`expected a BitField decimal string, got ${describeValue(raw)}`);
  }
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new ValueError(`BitField out of the bigint range: ${describeValue(raw)}`);
  }
  return value.toString();
}

/** A JSON integer (pks, FKs, `avatar_type`). Strings are rejected, as §8.1 requires. */
export function readInteger(raw: unknown): number {
  if (typeof raw !== "number" || !Number.isSafeInteger(raw)) {
    throw new ValueError(`expected an integer, got ${describeValue(raw)}`);
  }
  return raw;
}

export function readString(raw: unknown): string {
  if (typeof raw !== "string") {
    throw new ValueError(`expected a string, got ${describeValue(raw)}`);
  }
  return raw;
}

/**
 * Length in characters as Postgres's `varchar(n)` and Python's `len` count them: code points, not
 * UTF-16 units (an emoji is one character, and two JS "characters").
 */
export function codePointLength(s: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        surrogatePairs++;
        i++;
      }
    }
  }
  return s.length - surrogatePairs;
}
