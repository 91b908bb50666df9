/**
 * Postgres array literals (`{1,NULL,"a \"b\""}`) for the one-array-per-column parameters of the
 * writers, built here rather than by the driver: `pg` escapes every element with two regular
 * expressions, which was most of the client time spent sending a chunk, and a literal string
 * is read the same way by server Postgres and by PGlite.
 */

const NEEDS_ESCAPE = /["\\]/;

function element(value: unknown): string {
  if (value === null || value === undefined) {
    return "NULL";
  }
  if (typeof value === "string") {
    // always quoted: an empty string, NULL, blanks and delimiters then need no rules of their own
    return NEEDS_ESCAPE.test(value)
      ? `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`
      : `"${value}"`;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new TypeError(`cannot send ${String(value)} to Postgres`);
    }
    return String(value);
  }
  if (typeof value === "boolean") {
    return value ? "t" : "f";
  }
  if (typeof value === "bigint") {
    return value.toString();
  }
  throw new TypeError(`cannot send a ${typeof value} as an array element`);
}

/** The one-dimensional array literal of `values` (numbers, booleans, strings, null). */
export function arrayLiteral(values: readonly unknown[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) {
      out += ",";
    }
    out += element(values[i]);
  }
  return `${out}}`;
}
