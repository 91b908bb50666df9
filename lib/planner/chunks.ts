/**
 * Cutting runs into chunks (import-semantics.md §12.1, decision h). A pure function of the run
 * and the chunk size, so every process (the planner, a resumed import, a retried task) cuts the
 * same chunks and therefore uses the same ledger keys.
 */
import { z } from "zod";
import type { Run } from "./runs.ts";

/** Sentry's `MAX_BATCH_SIZE`: with it the ledger rows are exactly the ones Sentry writes. */
export const DEFAULT_CHUNK_SIZE = 20;

/** Fixed for the life of an import: a different size would cut different ledger keys. */
export const chunkSizeSchema = z.int().positive();

/** A slice of one run; it holds no row data, only where its rows are. */
export interface PlannedChunk {
  /** `offset + 1`, where offset counts every row of the run before the chunk (0, N, 2N, …). */
  readonly minOrdinal: number;
  readonly rowCount: number;
  readonly firstPosition: number;
  readonly lastPosition: number;
}

export function cutChunks(run: Run, chunkSize: number): readonly PlannedChunk[] {
  chunkSizeSchema.parse(chunkSize);
  const chunks: PlannedChunk[] = [];
  for (let offset = 0; offset < run.rowCount; offset += chunkSize) {
    const rowCount = Math.min(chunkSize, run.rowCount - offset);
    const firstPosition = run.firstPosition + offset;
    chunks.push({
      minOrdinal: offset + 1,
      rowCount,
      firstPosition,
      lastPosition: firstPosition + rowCount - 1,
    });
  }
  return chunks;
}

/** The number of rows of the run before the chunk. */
export function chunkOffset(chunk: PlannedChunk): number {
  return chunk.minOrdinal - 1;
}
