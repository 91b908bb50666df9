/** Streaming reading of a plaintext export: split, envelope, typed rows, natural keys. */
export { splitJsonArray } from "./splitter.ts";
export type { ArrayElement, SplitOptions } from "./splitter.ts";
export { parseElement, readExportRows } from "./envelope.ts";
export type { ExportRow } from "./envelope.ts";
export type { JsonValue } from "./json.ts";
export { NaturalKey } from "./row.ts";
export type { FieldValue, ParsedRow, ResolvedRow, ResolvedValue } from "./row.ts";
export { parseRow } from "./rowParser.ts";
export type { ParseRowOptions } from "./rowParser.ts";
export { isKnownTimeZone, userOptionProblem, validateRow } from "./validate.ts";
export { hasNaturalKeys, resolveNaturalKeys, UserKeyIndex } from "./naturalKeys.ts";
export type { KeyResolution, RowResolution, UnresolvedReference } from "./naturalKeys.ts";
export { toSqlParam } from "./sqlParams.ts";
export { LANGUAGE_CODES, THEMES } from "./languages.ts";
export { readTextArray, parsePythonList } from "./values/arrays.ts";
export { readDatetime } from "./values/datetime.ts";
export { readOptionValue, readUserOptionValue } from "./values/options.ts";
export {
  codePointLength,
  readBitField,
  readBoolean,
  readInteger,
  readString,
} from "./values/scalars.ts";
export { ValueError } from "./values/valueError.ts";
