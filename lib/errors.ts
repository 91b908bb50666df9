/**
 * One error tree for the whole project. Codes are string-literal unions (no enums under
 * erasableSyntaxOnly), context travels as fields, and wrapping always keeps `cause`.
 */

/** Sentry's `RpcImportErrorKind` values, kept verbatim for findings compatibility. */
export const SENTRY_IMPORT_ERROR_KINDS = [
  "Unknown",
  "DatabaseError",
  "DeserializationFailed",
  "IncorrectSiloModeForModel",
  "IntegrityError",
  "InvalidMinOrdinal",
  "MissingImportUUID",
  "UnknownModel",
  "UnexpectedModel",
  "UnspecifiedScope",
  "ValidationError",
] as const;

/** Project-specific kinds; they keep the shape of Sentry's findings. */
export const PROJECT_IMPORT_ERROR_KINDS = [
  "NonContiguousModelRun",
  "InvalidExport",
  "InvalidArchive",
  "DecryptionFailed",
] as const;

export type ImportErrorKind =
  (typeof SENTRY_IMPORT_ERROR_KINDS)[number] | (typeof PROJECT_IMPORT_ERROR_KINDS)[number];

export class SentryImportError extends Error {
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }
}

export type ArchiveErrorCode =
  | "not_a_tar"
  | "truncated"
  | "unknown_member"
  | "missing_member"
  | "duplicate_member"
  | "oversize_member"
  | "unsupported_compression"
  | "corrupt_compression"
  | "unreadable"
  /** A writer was given a plaintext whose length differs from the one it announced. */
  | "length_mismatch";

/** The container is wrong: not a tar, wrong members, truncated, compressed in an unsupported way. */
export class ArchiveError extends SentryImportError {
  declare readonly code: ArchiveErrorCode;
  constructor(
    code: ArchiveErrorCode,
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
  }
}

export type DecryptionErrorCode =
  | "key_unparsable"
  | "public_key_mismatch"
  | "dek_unwrap_failed"
  | "bad_dek"
  | "bad_token_base64"
  | "bad_token_version"
  | "token_too_short"
  | "hmac_mismatch"
  | "bad_padding"
  | "kms_config_invalid"
  | "kms_request_corrupted"
  | "kms_response_corrupted"
  | "kms_failed"
  | "bad_public_key";

/** Anything between the archive's bytes and the plaintext: keys, the DEK, the Fernet token, KMS. */
export class DecryptionError extends SentryImportError {
  declare readonly code: DecryptionErrorCode;
  constructor(
    code: DecryptionErrorCode,
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
  }
}

/** Where in the export a failure happened: Sentry's `InstanceID` plus the 1-based array position. */
export interface FailureLocation {
  readonly model: string | null;
  /** 1-based ordinal within the model's run; null where not known. */
  readonly ordinal: number | null;
  /** 1-based position of the row in the export array; null where not known. */
  readonly position?: number | null;
  readonly field?: string | null;
  readonly file?: string | null;
}

/** An import failed: carries Sentry's finding fields (`kind`, `on`, `left_pk`, `right_pk`). */
export class ImportFailure extends SentryImportError {
  declare readonly code: ImportErrorKind;
  readonly on: FailureLocation;
  readonly leftPk: number | null;
  readonly rightPk: number | null;

  constructor(
    kind: ImportErrorKind,
    reason: string,
    options: {
      on?: FailureLocation;
      leftPk?: number | null;
      rightPk?: number | null;
      cause?: unknown;
      context?: Record<string, unknown>;
    } = {},
  ) {
    super(kind, reason, options);
    this.on = options.on ?? { model: null, ordinal: null };
    this.leftPk = options.leftPk ?? null;
    this.rightPk = options.rightPk ?? null;
  }
}

/**
 * A chunk written beside other chunks of its run (`concurrentSiblings`) met a row whose outcome
 * depends on those chunks (a username that needs a suffix): it must go again, in order.
 */
export class RunOrderNeeded extends SentryImportError {
  constructor(message: string) {
    super("run_order_needed", message);
  }
}

/** Bad command-line usage: exit code 2. */
export class UsageError extends SentryImportError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("usage", message, options);
  }
}

/** Normalises whatever was thrown into an Error, keeping the original as `cause`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) {
    return thrown;
  }
  return new Error(typeof thrown === "string" ? thrown : JSON.stringify(thrown), {
    cause: thrown,
  });
}

/**
 * How a database failure is handled. Decided in exactly one place, from the SQLSTATE and the
 * driver's connection errors (`lib/adapters/pg/errors.ts`); everything above reads this field.
 * - `retryable`: the same work may succeed on a new attempt (serialization failure, deadlock,
 *   lost connection, terminated backend, cancelled statement);
 * - `duplicate`: a unique violation (23505), where `table` and `columns` tell a lost ledger race
 *   from a data collision; or an object that already exists (42P06 schema, 42P07 relation, 42710
 *   object…), which is how a concurrent `CREATE … IF NOT EXISTS` can still fail;
 * - `integrity`: any other integrity constraint (23xxx: FK, NOT NULL, CHECK, exclusion);
 * - `data`: the value does not fit the column (22xxx, e.g. 22001 value too long);
 * - `other`: anything else (syntax, missing relation, permissions…): a bug or a misconfiguration.
 */
export type DbErrorClassification = "retryable" | "duplicate" | "integrity" | "data" | "other";

/**
 * A classified database failure. The server's `detail` (which quotes row values) and the driver's
 * own error (PGlite's also carries the statement's parameters) stay on `cause` only: logging
 * `message` and the fields never prints user data, logging `cause` may.
 */
export class DbError extends SentryImportError {
  declare readonly code: DbErrorClassification;
  readonly classification: DbErrorClassification;
  /** The five-character SQLSTATE; null for client-side failures such as a dropped socket. */
  readonly sqlstate: string | null;
  /** The violated constraint or index. Names differ between Sentry-made and our tables. */
  readonly constraint: string | null;
  readonly schema: string | null;
  readonly table: string | null;
  /** The key columns, parsed from `detail` (Postgres names them there, not in `column`). */
  readonly columns: readonly string[];

  constructor(
    classification: DbErrorClassification,
    message: string,
    options: {
      sqlstate?: string | null;
      constraint?: string | null;
      schema?: string | null;
      table?: string | null;
      columns?: readonly string[];
      cause?: unknown;
      context?: Record<string, unknown>;
    } = {},
  ) {
    super(classification, message, options);
    this.classification = classification;
    this.sqlstate = options.sqlstate ?? null;
    this.constraint = options.constraint ?? null;
    this.schema = options.schema ?? null;
    this.table = options.table ?? null;
    this.columns = Object.freeze([...(options.columns ?? [])]);
  }
}

/**
 * True for a unique violation on exactly this table and key. The ledger race (§12.3) is told
 * apart this way rather than by constraint name: in a database Sentry created, the constraint
 * carries Django's hashed name, in one we created it does not.
 */
export function isDuplicateKey(
  thrown: unknown,
  table: string,
  columns: readonly string[],
): thrown is DbError {
  return (
    thrown instanceof DbError &&
    thrown.classification === "duplicate" &&
    thrown.table === table &&
    thrown.columns.length === columns.length &&
    columns.every((column) => thrown.columns.includes(column))
  );
}

export type QueryResultErrorCode = "no_rows" | "too_many_rows" | "invalid_row";

/** A query returned a different number of rows, or rows of a different shape, than required. */
export class QueryResultError extends SentryImportError {
  declare readonly code: QueryResultErrorCode;
  readonly sql: string;
  readonly rowCount: number;

  constructor(
    code: QueryResultErrorCode,
    message: string,
    options: { sql: string; rowCount: number; cause?: unknown; context?: Record<string, unknown> },
  ) {
    super(code, message, options);
    this.sql = options.sql;
    this.rowCount = options.rowCount;
  }
}

/** A blob (or the generation asked for) does not exist: overwritten or deleted since the event. */
export class BlobNotFoundError extends SentryImportError {
  constructor(
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super("blob_not_found", message, options);
  }
}
