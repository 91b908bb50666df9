/** Reading and writing the chunk ledger rows (import-semantics.md §4.2, §12). */
import type { RecordedRow } from "../../ledger/result.ts";
import type { DbImportChunk } from "../../ledger/row.ts";
import type { LedgerKey, LedgerTables } from "../../ledger/key.ts";
import type { Db, DbRow } from "../../ports.ts";
import type { ChunkTableName } from "../../registry/types.ts";
import { isForeignKeyTarget } from "../../registry/registry.ts";
import { quoteIdent } from "../../writer/sql.ts";
import { PK_MAP_TABLE } from "./pkMap.ts";

export async function findLedgerRow(
  db: Db,
  table: ChunkTableName,
  key: LedgerKey,
): Promise<DbRow | null> {
  const { rows } = await db.query(
    `SELECT * FROM ${quoteIdent(table)}
     WHERE import_uuid = $1::uuid AND model = $2 AND min_ordinal = $3`,
    [key.importUuid, key.model, key.minOrdinal],
  );
  return rows[0] ?? null;
}

const LEDGER_COLUMNS = `date_updated, date_added, import_uuid, model, min_ordinal, max_ordinal,
  min_source_pk, max_source_pk, min_inserted_pk, max_inserted_pk, inserted_map, existing_map,
  overwrite_map, inserted_identifiers`;
const LEDGER_VALUES = `$1, $1, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb,
  $12::jsonb, $13::jsonb`;

/** The parameters `LEDGER_VALUES` refers to, `$1` to `$13`. */
function ledgerParams(row: DbImportChunk, now: string): unknown[] {
  return [
    now,
    row.import_uuid,
    row.model,
    row.min_ordinal,
    row.max_ordinal,
    row.min_source_pk,
    row.max_source_pk,
    row.min_inserted_pk,
    row.max_inserted_pk,
    JSON.stringify(row.inserted_map),
    JSON.stringify(row.existing_map),
    JSON.stringify(row.overwrite_map),
    JSON.stringify(row.inserted_identifiers),
  ];
}

/**
 * Records a chunk that recorded rows, in ONE statement (one round trip instead of three): the
 * ledger row, the control replica unless one with the same key exists, and, for models that
 * FKs point at, the chunk's pk-map entries (the rows of other models are never looked up: their
 * entries live in the ledger maps only). A second delivery fails on the primary's unique key,
 * which is how it learns it lost a race; the pk-map rows are inserted only after the ledger row
 * (they read its RETURNING), so that violation is the one raised even when the winner's pk-map
 * rows exist too.
 */
export async function recordChunk(
  db: Db,
  tables: LedgerTables,
  row: DbImportChunk,
  now: string,
  records: readonly RecordedRow[],
): Promise<void> {
  const replica =
    tables.replica === null
      ? ""
      : `, replica AS (
         INSERT INTO ${quoteIdent(tables.replica)} (${LEDGER_COLUMNS}) VALUES (${LEDGER_VALUES})
         ON CONFLICT (import_uuid, model, min_ordinal) DO NOTHING
       )`;
  const ledger = `WITH ledger AS (
       INSERT INTO ${quoteIdent(tables.primary)} (${LEDGER_COLUMNS}) VALUES (${LEDGER_VALUES})
       RETURNING 1
     )${replica}`;
  const params = ledgerParams(row, now);
  if (!isForeignKeyTarget(row.model)) {
    await db.query(`${ledger} SELECT FROM ledger`, params);
    return;
  }
  await db.query(
    `${ledger}
     INSERT INTO ${PK_MAP_TABLE} (import_uuid, model, old_pk, new_pk, kind)
     SELECT $2::uuid, $3, x.old_pk, x.new_pk, x.kind
     FROM unnest($14::bigint[], $15::bigint[], $16::text[]) AS x(old_pk, new_pk, kind)
     WHERE EXISTS (SELECT FROM ledger)`,
    [
      ...params,
      records.map((r) => r.oldPk),
      records.map((r) => r.newPk),
      records.map((r) => r.kind),
    ],
  );
}

async function insertLedgerRow(
  db: Db,
  table: ChunkTableName,
  row: DbImportChunk,
  now: string,
  onConflictDoNothing: boolean,
): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(table)} (${LEDGER_COLUMNS}) VALUES (${LEDGER_VALUES})
     ${onConflictDoNothing ? "ON CONFLICT (import_uuid, model, min_ordinal) DO NOTHING" : ""}`,
    ledgerParams(row, now),
  );
}

/**
 * Writes the ledger row, and the control replica unless one with the same key exists, as two
 * statements (the chunk importer uses `recordChunk`; tests write foreign winners with this).
 */
export async function writeLedgerRows(
  db: Db,
  tables: LedgerTables,
  row: DbImportChunk,
  now: string,
): Promise<void> {
  await insertLedgerRow(db, tables.primary, row, now, false);
  if (tables.replica !== null) {
    await insertLedgerRow(db, tables.replica, row, now, true);
  }
}

/**
 * Serialises deliveries of one chunk: a second delivery waits here until the first commits or
 * rolls back, then sees its ledger row instead of colliding on data keys mid-write.
 *
 * In the same round trip it turns bitmap scans off for the rest of the chunk's transaction
 * (SET LOCAL). The chunk's lookups probe an index once per key, and each key matches at most a
 * row or two; but the tables an import fills have no statistics (autovacuum may not have run,
 * or be off), so the planner expects dozens of rows per key and builds a bitmap for each:
 * almost twice the time of a plain index scan (5,000 username probes on a warm table: 36 ms
 * against 20 ms).
 *
 * It turns JIT compilation off too. Those inflated row estimates put the per-key probes above
 * `jit_optimize_above_cost`, and LLVM then spent ~40 ms compiling each 2,000-key lookup that runs
 * in ~5 ms (the user-email probe took 29 µs a row instead of 3).
 */
export async function lockChunk(db: Db, key: LedgerKey): Promise<void> {
  await db.query(
    `SELECT pg_advisory_xact_lock(hashtextextended($1, 0)),
            set_config('enable_bitmapscan', 'off', true),
            set_config('jit', 'off', true)`,
    [`sentry-import:${key.importUuid}:${key.model}:${String(key.minOrdinal)}`],
  );
}
