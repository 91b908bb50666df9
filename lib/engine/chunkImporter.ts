/**
 * The chunk importer: the contract the CLI and the serverless pipeline both call, for any chunk,
 * in any process, any number of times (import-semantics.md §7, §12.3). One transaction per
 * chunk; the ledger row decides whether a delivery writes (see `lib/ledger/protocol.ts` for the
 * scenarios). An advisory lock on the ledger key makes a concurrent second delivery wait for the
 * first and then find its ledger row, instead of colliding on data keys half-way through.
 */
import { DbError, ImportFailure, RunOrderNeeded, coerceError } from "../errors.ts";
import type { ExportRow } from "../export/envelope.ts";
import type { ParsedRow, ResolvedRow } from "../export/row.ts";
import { NaturalKey } from "../export/row.ts";
import { parseRow } from "../export/rowParser.ts";
import { importUuidSchema, ledgerTablesFor } from "../ledger/key.ts";
import type { LedgerKey, LedgerTables } from "../ledger/key.ts";
import { importChunkOnce, ledgerKeyViolationOn } from "../ledger/protocol.ts";
import { chunkResultFromRecords } from "../ledger/result.ts";
import type { ChunkResult } from "../ledger/result.ts";
import { ledgerRowOf } from "../ledger/row.ts";
import type { ChunkOutcome } from "../outcomes.ts";
import type { Database, Db } from "../ports.ts";
import { EMAIL, USER, USER_EMAIL, USER_OPTION, USER_PERMISSION } from "../registry/names.ts";
import { getModel } from "../registry/registry.ts";
import { modelInScope, rowInScope } from "../registry/scopes.ts";
import type { ModelSpec } from "../registry/types.ts";
import { writerFor } from "../writer/index.ts";
import type { WritableRow } from "../writer/types.ts";
import { textOf } from "../writer/records.ts";
import type { ChunkFilters, ChunkRequest } from "./chunkRequest.ts";
import { rewriteForeignKeys } from "./foreignKeys.ts";
import { findLedgerRow, lockChunk, recordChunk } from "./sql/ledger.ts";

export interface ChunkImportOptions {
  /**
   * Called before every statement of the chunk's transaction, and once more with the SQL
   * `"COMMIT"` after the last one, just before the commit (fault injection: throwing here
   * simulates a crash between two statements, or between the ledger write and the commit).
   * Indexes count from 0 within each delivery's transaction; `chunk` tells concurrent
   * transactions apart.
   */
  readonly beforeStatement?: (index: number, sql: string, chunk: LedgerKey) => void | Promise<void>;
}

/** The models whose rows are skipped when their user was merged (kind Existing, §11.3). */
const SKIPPED_FOR_MERGED_USERS = new Set([USER_EMAIL, USER_OPTION, USER_PERMISSION]);

/** Signals that the ledger row appeared while we waited for the chunk's lock. */
class LedgerRowAppeared extends Error {}

function failure(kind: ImportFailure["code"], reason: string, model: string | null): ChunkOutcome {
  return {
    kind: "rejected",
    failure: new ImportFailure(kind, reason, { on: { model, ordinal: null } }),
  };
}

/** Sentry's request checks, in its order (§13). */
function checkRequest(request: ChunkRequest): ChunkOutcome | { spec: ModelSpec; key: LedgerKey } {
  if (!Number.isSafeInteger(request.minOrdinal) || request.minOrdinal < 1) {
    return failure(
      "InvalidMinOrdinal",
      `min_ordinal must be at least 1, got ${String(request.minOrdinal)}`,
      request.model,
    );
  }
  const spec = getModel(request.model);
  if (spec === undefined) {
    return failure(
      "UnknownModel",
      `${request.model} is not a model sentry-import can import`,
      request.model,
    );
  }
  if (request.scope === null) {
    return failure("UnspecifiedScope", "no import scope was given", spec.name);
  }
  const importUuid = importUuidSchema.safeParse(request.importUuid);
  if (!importUuid.success) {
    return failure("MissingImportUUID", "the chunk has no valid import uuid", spec.name);
  }
  for (const row of request.rows) {
    if (row.model !== spec.name) {
      return {
        kind: "rejected",
        failure: new ImportFailure(
          "UnexpectedModel",
          `row ${String(row.position)} is a ${row.model}, not a ${spec.name}`,
          {
            on: { model: spec.name, ordinal: null, position: row.position },
            leftPk: row.pk,
          },
        ),
      };
    }
  }
  return {
    spec,
    key: { importUuid: importUuid.data, model: spec.name, minOrdinal: request.minOrdinal },
  };
}

function passesFilters(spec: ModelSpec, row: ParsedRow, filters: ChunkFilters): boolean {
  if (spec.name === USER && filters.usernames !== null) {
    return filters.usernames.has(textOf(row.values, "username"));
  }
  if (spec.name === EMAIL && filters.emails !== null) {
    return filters.emails.has(textOf(row.values, "email"));
  }
  return true;
}

function hasUnresolvedNaturalKey(row: ParsedRow): boolean {
  return Object.values(row.values).some((v) => v instanceof NaturalKey);
}

/** §7 steps 3–4: deserialise (and validate, unless planning did) every row, then filter. */
function parseChunkRows(
  spec: ModelSpec,
  rows: readonly ExportRow[],
  request: ChunkRequest,
): ResolvedRow[] {
  const kept: ResolvedRow[] = [];
  rows.forEach((raw, index) => {
    const parsed = parseRow(spec, raw, request.minOrdinal + index, {
      validate: request.validated !== true,
    });
    // an unresolvable natural key behaves like a missing reference (decision f)
    if (!hasUnresolvedNaturalKey(parsed) && passesFilters(spec, parsed, request.filters)) {
      kept.push(parsed as ResolvedRow);
    }
  });
  return kept;
}

/** §7 steps 5–6 after the FK rewrite: kind-based skips and the fine scope gate. */
function survivesGates(spec: ModelSpec, writable: WritableRow, request: ChunkRequest): boolean {
  if (SKIPPED_FOR_MERGED_USERS.has(spec.name) && writable.fkKinds["user"] === "Existing") {
    return false;
  }
  return request.scope !== null && rowInScope(spec, writable.values, request.scope);
}

interface InstrumentedTransaction {
  readonly tx: Db;
  /** the last hook call, after the last statement and before COMMIT */
  readonly beforeCommit: () => Promise<void>;
}

function instrument(
  db: Db,
  hook: ChunkImportOptions["beforeStatement"],
  key: LedgerKey,
): InstrumentedTransaction {
  if (hook === undefined) {
    return { tx: db, beforeCommit: () => Promise.resolve() };
  }
  let index = 0;
  return {
    tx: {
      async query(sql, params) {
        await hook(index, sql, key);
        index += 1;
        return db.query(sql, params);
      },
    },
    async beforeCommit() {
      await hook(index, "COMMIT", key);
    },
  };
}

async function writeChunk(
  database: Database,
  request: ChunkRequest,
  spec: ModelSpec,
  key: LedgerKey,
  tables: LedgerTables,
  rows: readonly ResolvedRow[],
  options: ChunkImportOptions,
): Promise<ChunkResult> {
  return database.withTransaction(async (rawTx) => {
    const { tx, beforeCommit } = instrument(rawTx, options.beforeStatement, key);
    await lockChunk(tx, key);
    if ((await findLedgerRow(tx, tables.primary, key)) !== null) {
      throw new LedgerRowAppeared();
    }
    const visible = new Set(request.visibleModels);
    const writable = (await rewriteForeignKeys(tx, key.importUuid, spec, rows, visible)).filter(
      (w) => survivesGates(spec, w, request),
    );
    const records =
      writable.length === 0
        ? []
        : await writerFor(spec.name)(
            {
              db: tx,
              importUuid: key.importUuid,
              scope: request.scope ?? "Config",
              flags: request.flags,
              now: request.now,
              concurrentSiblings: request.concurrentSiblings === true,
              ...(request.addressesCreatedEarlier === undefined
                ? {}
                : { addressesCreatedEarlier: request.addressesCreatedEarlier }),
              ...(request.newAddressHint === undefined
                ? {}
                : { newAddressHint: request.newAddressHint }),
            },
            writable,
          );
    const result = chunkResultFromRecords({
      model: spec.name,
      minOrdinal: key.minOrdinal,
      records,
    });
    const ledgerRow = ledgerRowOf(key.importUuid, result);
    if (ledgerRow !== null) {
      await recordChunk(tx, tables, ledgerRow, request.now, records);
    }
    await beforeCommit();
    return result;
  });
}

/** Maps what a failed chunk threw to an outcome; the transaction has rolled back already. */
function outcomeOfError(thrown: unknown, spec: ModelSpec, key: LedgerKey): ChunkOutcome {
  if (thrown instanceof ImportFailure) {
    return { kind: "rejected", failure: thrown };
  }
  if (thrown instanceof RunOrderNeeded) {
    return { kind: "needsOrder", reason: thrown.message };
  }
  const on = { model: spec.name, ordinal: key.minOrdinal };
  if (thrown instanceof DbError) {
    switch (thrown.classification) {
      case "retryable":
        return { kind: "retry", reason: thrown.message };
      case "duplicate":
      case "integrity":
        return {
          kind: "rejected",
          failure: new ImportFailure("IntegrityError", thrown.message, { on, cause: thrown }),
        };
      case "data":
      case "other":
        return {
          kind: "rejected",
          failure: new ImportFailure("DatabaseError", thrown.message, { on, cause: thrown }),
        };
    }
  }
  const error = coerceError(thrown);
  return {
    kind: "rejected",
    failure: new ImportFailure("Unknown", error.stack ?? error.message, { on, cause: error }),
  };
}

export async function importChunk(
  database: Database,
  request: ChunkRequest,
  options: ChunkImportOptions = {},
): Promise<ChunkOutcome> {
  const checked = checkRequest(request);
  if ("kind" in checked) {
    return checked;
  }
  const { spec, key } = checked;
  // the coarse scope gate (§7 step 2): such rows are passed over before they are parsed
  if (request.scope === null || !modelInScope(spec, request.scope)) {
    return {
      kind: "imported",
      result: chunkResultFromRecords({ model: spec.name, minOrdinal: key.minOrdinal, records: [] }),
    };
  }
  const tables = ledgerTablesFor(spec.silo);
  const isLedgerKeyViolation = ledgerKeyViolationOn(tables.primary);
  try {
    const rows = parseChunkRows(spec, request.rows, request);
    return await importChunkOnce(key, {
      findLedgerRow: (k) => findLedgerRow(database, tables.primary, k),
      writeChunk: () => writeChunk(database, request, spec, key, tables, rows, options),
      isLedgerKeyViolation: (error) =>
        error instanceof LedgerRowAppeared || isLedgerKeyViolation(error),
    });
  } catch (thrown: unknown) {
    return outcomeOfError(thrown, spec, key);
  }
}
