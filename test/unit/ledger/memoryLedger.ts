/**
 * An in-memory stand-in for the chunk tables and a chunk writer, enough to drive the
 * idempotent protocol: one "transaction" writes the rows and the ledger row together, and the
 * ledger key is unique as in Postgres.
 */
import { DbError } from "../../../lib/errors.ts";
import type { LedgerKey } from "../../../lib/ledger/key.ts";
import type { ChunkResult } from "../../../lib/ledger/result.ts";
import type { DbImportChunk } from "../../../lib/ledger/row.ts";
import { ledgerRowOf } from "../../../lib/ledger/row.ts";
import { CHUNK_LEDGER_KEY } from "../../../lib/registry/tables.ts";

export const TABLE = "sentry_controlimportchunk";

export function keyString(key: LedgerKey): string {
  return `${key.importUuid}|${key.model}|${key.minOrdinal}`;
}

export class MemoryLedger {
  readonly rows = new Map<string, DbImportChunk>();
  /** data rows committed, by chunk key: the "rows of the chunk" */
  readonly written = new Map<string, number>();
  transactions = 0;

  find(key: LedgerKey): Promise<Record<string, unknown> | null> {
    const row = this.rows.get(keyString(key));
    // the shape a driver returns: bigint columns as strings, extra columns
    return Promise.resolve(
      row === undefined
        ? null
        : {
            id: String(this.rows.size),
            date_added: new Date(0),
            date_updated: new Date(0),
            ...row,
            min_ordinal: String(row.min_ordinal),
            max_source_pk: String(row.max_source_pk),
          },
    );
  }

  /** Commits `result`'s rows and ledger row atomically, or throws and commits nothing. */
  commit(key: LedgerKey, result: ChunkResult): ChunkResult {
    this.transactions += 1;
    const ledgerRow = ledgerRowOf(key.importUuid, result);
    if (ledgerRow === null) {
      return result;
    }
    const k = keyString(key);
    if (this.rows.has(k)) {
      throw new DbError("duplicate", "duplicate key value violates unique constraint", {
        sqlstate: "23505",
        table: TABLE,
        columns: CHUNK_LEDGER_KEY,
      });
    }
    this.rows.set(k, ledgerRow);
    this.written.set(k, (this.written.get(k) ?? 0) + result.mappedPks.length);
    return result;
  }
}
