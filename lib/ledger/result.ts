/**
 * What importing one chunk produced: Sentry's `RpcImportOk`, as plain serialisable data.
 *
 * It is computed either from the rows a chunk recorded while writing (`chunkResultFromRecords`)
 * or from a stored ledger row (`chunkResultFromLedgerRow` in `./row.ts`); both give the same
 * value for the same chunk, which is what makes a retry indistinguishable from the first reply.
 */
import { z } from "zod";
import {
  importKindSchema,
  modelNameSchema,
  newPkSchema,
  oldPkSchema,
  PrimaryKeyMap,
} from "../pkmap.ts";
import type { ImportKind, NewPk, OldPk } from "../pkmap.ts";
import type { ModelName } from "../registry/types.ts";
import { ordinalSchema } from "./key.ts";

/** One recorded row (§7 step 8): its old pk and what it became. */
export interface RecordedRow {
  readonly oldPk: OldPk;
  readonly newPk: NewPk;
  readonly kind: ImportKind;
  readonly slug: string | null;
}

export interface ChunkResult {
  readonly model: ModelName;
  readonly minOrdinal: number;
  /** `minOrdinal - 1 + recorded rows`, so `minOrdinal - 1` when the chunk recorded nothing. */
  readonly maxOrdinal: number;
  /** The first recorded row's old pk (file order, not a minimum); null when nothing was recorded. */
  readonly minSourcePk: OldPk | null;
  readonly maxSourcePk: OldPk | null;
  /** The first Inserted row's new pk; null when nothing was Inserted. */
  readonly minInsertedPk: NewPk | null;
  readonly maxInsertedPk: NewPk | null;
  /**
   * One entry per old pk, sorted by old pk. A ledger row keeps no per-row order, so a canonical
   * order is what lets a live result and a rebuilt one compare equal.
   */
  readonly mappedPks: readonly RecordedRow[];
}

export const recordedRowSchema = z.strictObject({
  oldPk: oldPkSchema,
  newPk: newPkSchema,
  kind: importKindSchema,
  slug: z.string().nullable(),
});

/** For results passed between functions (task replies, stored progress). */
export const chunkResultSchema = z
  .strictObject({
    model: modelNameSchema,
    minOrdinal: ordinalSchema,
    maxOrdinal: z.int().nonnegative(),
    minSourcePk: oldPkSchema.nullable(),
    maxSourcePk: oldPkSchema.nullable(),
    minInsertedPk: newPkSchema.nullable(),
    maxInsertedPk: newPkSchema.nullable(),
    mappedPks: z.array(recordedRowSchema).readonly(),
  })
  .refine((result) => result.maxOrdinal >= result.minOrdinal - 1, {
    message: "maxOrdinal is below minOrdinal - 1",
  }) satisfies z.ZodType<ChunkResult>;

/** Rows recorded by the chunk (0 for a chunk whose rows were all skipped). */
export function recordedCount(result: ChunkResult): number {
  return result.maxOrdinal - result.minOrdinal + 1;
}

/** Later entries for the same old pk replace earlier ones, as in the pk map. */
export function canonicalMappedPks(rows: Iterable<RecordedRow>): readonly RecordedRow[] {
  const byOldPk = new Map<OldPk, RecordedRow>();
  for (const row of rows) {
    byOldPk.set(row.oldPk, row);
  }
  return [...byOldPk.values()].sort((a, b) => a.oldPk - b.oldPk);
}

/**
 * Summarises a chunk from the rows it recorded, in the order it recorded them (§12.2). Skipped
 * rows are simply absent: they consume no ordinal.
 */
export function chunkResultFromRecords(input: {
  readonly model: ModelName;
  readonly minOrdinal: number;
  readonly records: readonly RecordedRow[];
}): ChunkResult {
  const { model, minOrdinal, records } = input;
  ordinalSchema.parse(minOrdinal);
  let maxSourcePk: OldPk | null = null;
  let minInsertedPk: NewPk | null = null;
  let maxInsertedPk: NewPk | null = null;
  for (const row of records) {
    if (maxSourcePk === null || row.oldPk > maxSourcePk) {
      maxSourcePk = row.oldPk;
    }
    if (row.kind === "Inserted") {
      minInsertedPk ??= row.newPk;
      if (maxInsertedPk === null || row.newPk > maxInsertedPk) {
        maxInsertedPk = row.newPk;
      }
    }
  }
  return {
    model,
    minOrdinal,
    maxOrdinal: minOrdinal - 1 + records.length,
    minSourcePk: records[0]?.oldPk ?? null,
    maxSourcePk,
    minInsertedPk,
    maxInsertedPk,
    mappedPks: canonicalMappedPks(records),
  };
}

/** The pk-map entries of some chunk results, later results overwriting earlier ones. */
export function pkMapOf(results: Iterable<ChunkResult>): PrimaryKeyMap {
  const map = new PrimaryKeyMap();
  for (const result of results) {
    for (const row of result.mappedPks) {
      map.insert(result.model, row.oldPk, row.newPk, row.kind, row.slug);
    }
  }
  return map;
}
