/**
 * Cuts a planned export into its chunks in ONE pass over the plaintext and stages each, encrypted,
 * in the staging bucket. Staged objects are deterministic per (import, model, min ordinal) and
 * created only if absent, so a redelivered finalize event re-stages harmlessly.
 */
import type { ExportRow } from "../export/envelope.ts";
import { parseElement } from "../export/envelope.ts";
import type { UnresolvedReference, UserKeyIndex } from "../export/naturalKeys.ts";
import { splitJsonArray } from "../export/splitter.ts";
import { resolveRawNaturalKeys } from "../engine/runReader.ts";
import type { ImportUuid } from "../ledger/key.ts";
import type { PlannedChunk } from "../planner/chunks.ts";
import type { Plan, PlannedRun } from "../planner/plan.ts";
import type { BlobStore, ByteSource } from "../ports.ts";
import { encryptStagedChunk, stagedChunkName } from "./staging.ts";

interface OpenChunk {
  readonly run: PlannedRun;
  readonly chunk: PlannedChunk;
  readonly rows: ExportRow[];
}

/** The planned chunk that covers `position`, if any (runs and chunks are in file order). */
function* chunksInOrder(plan: Plan): Generator<{ run: PlannedRun; chunk: PlannedChunk }> {
  for (const run of plan.runs) {
    for (const chunk of run.chunks) {
      yield { run, chunk };
    }
  }
}

export async function stageChunks(input: {
  readonly plaintext: ByteSource;
  readonly plan: Plan;
  readonly userKeys: UserKeyIndex | null;
  readonly blobs: BlobStore;
  readonly stagingBucket: string;
  readonly stagingKey: string;
  readonly importUuid: ImportUuid;
}): Promise<{ staged: number; unresolved: readonly UnresolvedReference[] }> {
  const unresolved: UnresolvedReference[] = [];
  const order = chunksInOrder(input.plan);
  let next = order.next();
  let open: OpenChunk | null = null;
  let staged = 0;

  const flush = async (chunk: OpenChunk): Promise<void> => {
    const bytes = await encryptStagedChunk(
      {
        importUuid: input.importUuid,
        model: chunk.run.model,
        minOrdinal: chunk.chunk.minOrdinal,
        rows: chunk.rows,
      },
      input.stagingKey,
    );
    await input.blobs.putIfAbsent(
      {
        bucket: input.stagingBucket,
        name: stagedChunkName(input.importUuid, chunk.run.model, chunk.chunk.minOrdinal),
      },
      bytes,
      { contentType: "application/octet-stream", metadata: { importUuid: input.importUuid } },
    );
    staged += 1;
  };

  for await (const element of splitJsonArray(input.plaintext(), { parseBlocks: true })) {
    if (open === null) {
      if (next.done === true) {
        continue;
      }
      if (element.position < next.value.chunk.firstPosition) {
        continue;
      }
      open = { ...next.value, rows: [] };
      next = order.next();
    }
    const row = parseElement(element);
    const ordinal = element.position - open.run.firstPosition + 1;
    const kept =
      input.userKeys === null
        ? row
        : resolveRawNaturalKeys(row, ordinal, input.userKeys, unresolved);
    if (kept !== null) {
      open.rows.push(kept);
    }
    if (element.position === open.chunk.lastPosition) {
      await flush(open);
      open = null;
    }
  }
  return { staged, unresolved };
}
