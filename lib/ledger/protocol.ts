/**
 * The idempotent chunk protocol (import-semantics.md §12.3; conventions.md §2, convention 5).
 *
 * Cloud Tasks delivers at least once, so a chunk may be processed any number of times, possibly
 * at the same moment. The ledger row, unique on `(import_uuid, model, min_ordinal)` and committed
 * in the same transaction as the chunk's rows, is what turns that into "written exactly once":
 *
 * 1. The previous delivery failed: its transaction rolled back, so there is no ledger row and
 *    nothing of its rows. This delivery writes the chunk: `imported`.
 * 2. The previous delivery succeeded and its reply arrived: the orchestrator moved on and never
 *    sends this chunk again. (A resumed import that does is scenario 3.)
 * 3. The previous delivery succeeded but its reply was lost (timeout, crash after COMMIT, task
 *    redelivered): the ledger row exists, so this delivery writes nothing and answers with the
 *    result rebuilt from the row, identical to the lost reply: `alreadyImported`.
 * 4. Two deliveries race: both miss the ledger row in step 1 and both write. The second to
 *    commit fails on the ledger key (Postgres makes it wait for the first and then raises
 *    23505), rolls back all of its rows, re-reads the winner's row and answers with it:
 *    `lostRace`. A unique violation on any other key is a real data collision and propagates.
 *
 * A chunk that recorded nothing writes no ledger row, so a retry of it runs again and skips the
 * same rows again; that writes nothing either way.
 */
import { isDuplicateKey } from "../errors.ts";
import type { DbRow } from "../ports.ts";
import type { ChunkOutcome } from "../outcomes.ts";
import { CHUNK_LEDGER_KEY } from "../registry/tables.ts";
import type { ChunkTableName } from "../registry/types.ts";
import type { LedgerKey } from "./key.ts";
import type { ChunkResult } from "./result.ts";
import { chunkResultFromLedgerRow, ledgerKeyOf, parseLedgerRow } from "./row.ts";

export interface ChunkProtocolSteps {
  /** Reads the chunk's ledger row from the model's chunk table; null when there is none. */
  readonly findLedgerRow: (key: LedgerKey) => Promise<DbRow | null>;
  /**
   * Writes the chunk's rows and its ledger row (and the control replica) in ONE transaction,
   * returning the result computed while writing. Throws when the transaction failed.
   */
  readonly writeChunk: (key: LedgerKey) => Promise<ChunkResult>;
  /** True when `error` is a unique violation of the ledger key, i.e. a lost race. */
  readonly isLedgerKeyViolation: (error: unknown) => boolean;
}

export type ProtocolOutcome = Extract<
  ChunkOutcome,
  { readonly kind: "imported" | "alreadyImported" | "lostRace" | "retry" }
>;

/**
 * Imports the chunk `key` at most once however often it is delivered (scenarios above).
 * @throws whatever `writeChunk` throws other than a ledger-key violation (e.g. `IntegrityError`
 * findings, retryable `DbError`s: the caller maps them to `rejected` or `retry`), and a
 * `ZodError` when a stored ledger row is malformed
 */
export async function importChunkOnce(
  key: LedgerKey,
  steps: ChunkProtocolSteps,
): Promise<ProtocolOutcome> {
  const existing = await readResult(key, steps);
  if (existing !== null) {
    return { kind: "alreadyImported", result: existing };
  }
  let written: ChunkResult;
  try {
    written = await steps.writeChunk(key);
  } catch (error: unknown) {
    if (!steps.isLedgerKeyViolation(error)) {
      throw error;
    }
    const winner = await readResult(key, steps);
    if (winner === null) {
      // The violation says a row with our key exists, yet it cannot be read: it was rolled back
      // after all, or the read went to a lagging replica. Another delivery settles it.
      return {
        kind: "retry",
        reason: `lost the ledger race for ${describeKey(key)}, but no winner is visible`,
      };
    }
    return { kind: "lostRace", result: winner };
  }
  return { kind: "imported", result: written };
}

async function readResult(key: LedgerKey, steps: ChunkProtocolSteps): Promise<ChunkResult | null> {
  const raw = await steps.findLedgerRow(key);
  if (raw === null) {
    return null;
  }
  const row = parseLedgerRow(raw);
  const found = ledgerKeyOf(row);
  if (
    found.importUuid !== key.importUuid ||
    found.model !== key.model ||
    found.minOrdinal !== key.minOrdinal
  ) {
    // answering with another chunk's result would corrupt the pk map silently
    throw new Error(`findLedgerRow(${describeKey(key)}) returned the row of ${describeKey(found)}`);
  }
  return chunkResultFromLedgerRow(row);
}

export function describeKey(key: LedgerKey): string {
  return `${key.importUuid}/${key.model}/${key.minOrdinal}`;
}

/** `isLedgerKeyViolation` for adapters that raise classified `DbError`s. */
export function ledgerKeyViolationOn(table: ChunkTableName): (error: unknown) => boolean {
  return (error) => isDuplicateKey(error, table, CHUNK_LEDGER_KEY);
}
