/**
 * The one module that reads SQLSTATE codes (conventions §2.9). Both drivers (`pg` and PGlite)
 * throw errors carrying the server's ErrorResponse fields (`code`, `constraint`, `table`,
 * `detail`, …), so one structural reader serves both. Nothing else compares code strings: callers
 * branch on `DbError.classification`, or on the named predicates below.
 */
import { DbError } from "../../errors.ts";
import type { DbErrorClassification } from "../../errors.ts";

/** The ErrorResponse fields both drivers copy onto their error objects. */
interface ServerErrorFields {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly schema?: unknown;
  readonly table?: unknown;
  readonly column?: unknown;
  readonly detail?: unknown;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Single codes that are retryable outside their class: the backend was terminated (57P01) or the
 * server is shutting down or starting (57P02, 57P03), the statement was cancelled (57014), and
 * the server is out of connection slots (53300). All leave the data untouched.
 */
const RETRYABLE_CODES = new Set(["57P01", "57P02", "57P03", "57014", "53300"]);

/**
 * "Someone else created it" (graphile/worker's clash codes): duplicate schema, relation, object,
 * column, function, database. A concurrent `CREATE … IF NOT EXISTS` can still fail with these,
 * as the existence check and the catalog insert are not atomic; they are `duplicate`, like 23505.
 */
const ALREADY_EXISTS_CODES = new Set(["42P06", "42P07", "42710", "42701", "42723", "42P04"]);

/** Node socket errors that mean the server was unreachable or the connection dropped. */
const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/**
 * node-postgres reports a lost connection without a SQLSTATE, only with these messages
 * (`lib/client.js` and `pg-pool`). Matching text is a last resort, confined to this module.
 */
const CONNECTION_LOST_MESSAGES = [
  "Connection terminated",
  "Client has encountered a connection error and is not queryable",
  "timeout exceeded when trying to connect",
  "Client was closed and is not queryable",
];

export function classifySqlState(sqlstate: string): DbErrorClassification {
  if (sqlstate.startsWith("40") || sqlstate.startsWith("08") || RETRYABLE_CODES.has(sqlstate)) {
    return "retryable";
  }
  if (sqlstate === "23505" || ALREADY_EXISTS_CODES.has(sqlstate)) {
    return "duplicate";
  }
  if (sqlstate.startsWith("23")) {
    return "integrity";
  }
  if (sqlstate.startsWith("22")) {
    return "data";
  }
  return "other";
}

/**
 * Turns whatever a driver call threw into a `DbError`. An error that is already one passes
 * through unchanged, so wrapping twice is harmless.
 */
export function toDbError(thrown: unknown): DbError {
  if (thrown instanceof DbError) {
    return thrown;
  }
  const fields: ServerErrorFields = isObject(thrown) ? thrown : {};
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const sqlstate =
    typeof fields.code === "string" && SQLSTATE.test(fields.code) ? fields.code : null;
  if (sqlstate === null) {
    return new DbError(isConnectionLoss(fields.code, message) ? "retryable" : "other", message, {
      cause: thrown,
    });
  }
  return new DbError(classifySqlState(sqlstate), message, {
    sqlstate,
    constraint: stringOrNull(fields.constraint),
    schema: stringOrNull(fields.schema),
    table: stringOrNull(fields.table),
    columns: columnsOf(fields),
    cause: thrown,
  });
}

/**
 * The key columns of a constraint violation. Postgres fills `column` only for NOT NULL (23502);
 * unique and FK violations name their key in `detail`, as `Key (a, b)=(…) …`.
 */
function columnsOf(fields: ServerErrorFields): readonly string[] {
  if (typeof fields.column === "string" && fields.column !== "") {
    return [fields.column];
  }
  return typeof fields.detail === "string" ? parseKeyColumns(fields.detail) : [];
}

/**
 * Reads the column list of `Key (user_id, "key")=(1, x) already exists.`. Commas and brackets
 * inside an expression column (`lower(email::text)`) stay within their item; quoted identifiers
 * are unquoted.
 */
export function parseKeyColumns(detail: string): readonly string[] {
  const start = detail.indexOf("Key (");
  if (start === -1) {
    return [];
  }
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = "";
  for (let i = start + "Key (".length; i < detail.length; i += 1) {
    const char = detail.charAt(i);
    if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === "(") {
      depth += 1;
    } else if (!quoted && char === ")" && depth > 0) {
      depth -= 1;
    } else if (!quoted && char === ")") {
      items.push(current);
      return detail.startsWith("=(", i + 1) ? items.map(unquoteIdentifier) : [];
    } else if (!quoted && depth === 0 && char === ",") {
      items.push(current);
      current = "";
      continue;
    }
    current += char;
  }
  return [];
}

function unquoteIdentifier(item: string): string {
  const trimmed = item.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replaceAll('""', '"');
  }
  return trimmed;
}

function isConnectionLoss(code: unknown, message: string): boolean {
  if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) {
    return true;
  }
  return CONNECTION_LOST_MESSAGES.some((text) => message.startsWith(text));
}

function isObject(value: unknown): value is ServerErrorFields {
  return typeof value === "object" && value !== null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
