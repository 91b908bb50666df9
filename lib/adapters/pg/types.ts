/**
 * Result parsing for node-postgres, aligned with PGlite so the same code sees the same values on
 * both adapters. The one difference that matters is `int8` (bigserial ids, `count(*)`, BitFields):
 * node-postgres returns a string, PGlite a number, or a bigint beyond 2^53. We follow PGlite:
 * ids stay plain numbers, and a value that a number cannot hold exactly is never rounded.
 *
 * Types are set per pool (`types` option), never on the global `pg.types` registry, so other
 * users of `pg` in the same process are unaffected.
 */
import pg from "pg";
import type { CustomTypesConfig } from "pg";

const INT8 = 20;
const INT8_ARRAY = 1016;

type TextParser = (value: string) => unknown;
/** pg's registry typed by plain oid: its `TypeId` enum lacks the array oids. */
const builtinParser = pg.types.getTypeParser as (
  oid: number,
  format: "text" | "binary",
) => TextParser;

export function parseInt8(text: string): number | bigint {
  const value = BigInt(text);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

function mapInt8Array(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(mapInt8Array);
  }
  return typeof value === "string" ? parseInt8(value) : value;
}

function getTypeParser(oid: number, format?: "text" | "binary"): TextParser {
  if (format !== "binary" && oid === INT8) {
    return parseInt8;
  }
  if (format !== "binary" && oid === INT8_ARRAY) {
    const parseArray = builtinParser(INT8_ARRAY, "text");
    return (value) => mapInt8Array(parseArray(value));
  }
  return builtinParser(oid, format ?? "text");
}

/** The `types` option of every pool this adapter creates. */
export const pgTypes: CustomTypesConfig = { getTypeParser };
