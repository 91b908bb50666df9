/** Enqueuing chunk tasks: deterministic names, so every enqueue may safely happen twice. */
import type { ImportUuid } from "../ledger/key.ts";
import type { ChunkQueue } from "../ports.ts";
import type { ChunkRef } from "./schedule.ts";
import { stagedChunkName } from "./staging.ts";
import type { ChunkTaskBody } from "./taskBody.ts";
import { taskIdFor } from "./taskIds.ts";

export async function enqueueChunks(
  queue: ChunkQueue,
  importUuid: ImportUuid,
  chunks: readonly ChunkRef[],
): Promise<void> {
  for (const chunk of chunks) {
    const body: ChunkTaskBody = {
      kind: "chunk",
      importUuid,
      model: chunk.model,
      minOrdinal: chunk.minOrdinal,
      object: stagedChunkName(importUuid, chunk.model, chunk.minOrdinal),
    };
    await queue.enqueue({ id: taskIdFor(importUuid, chunk.model, chunk.minOrdinal), body });
  }
}
