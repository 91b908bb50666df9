/** JSON-valued fields (import-semantics.md §8.3). */
import type { JsonValue } from "../json.ts";

/**
 * `sentry.option.value` / `sentry.controloption.value`, with Sentry's `PickledObjectField`
 * semantics: a string is JSON-parsed when it parses, and kept as the raw string otherwise; any
 * other JSON value is used as-is. So `"\"23.6.1\""` and `"23.6.1"` both give `"23.6.1"`, and the
 * *string* `"123"` gives the number 123 (a quirk Sentry has too). The writer stores
 * `JSON.stringify` of the result in the text column.
 */
export function readOptionValue(raw: unknown): JsonValue {
  if (typeof raw === "string") {
    try {
      return JSON.parse(raw) as JsonValue;
    } catch {
      return raw;
    }
  }
  return raw as JsonValue;
}

/**
 * `sentry.useroption.value` (decision a): a string whose text is itself a JSON string literal is
 * decoded once (`"\"Europe/Vienna\""` → `"Europe/Vienna"`); everything else is kept as given.
 * Legacy encodings of numbers or booleans (`"10"`, `"true"`) can't be told apart from current
 * string values, so they stay strings.
 */
export function readUserOptionValue(raw: unknown): JsonValue {
  if (typeof raw === "string" && raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    try {
      const inner: unknown = JSON.parse(raw);
      if (typeof inner === "string") {
        return inner;
      }
    } catch {
      // not a JSON string literal: keep the text
    }
  }
  return raw as JsonValue;
}
