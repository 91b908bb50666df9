/**
 * One chunk task (gcp-platform.md §6.4): load and decrypt the staged chunk, run the engine's chunk
 * importer, then move the schedule on: the run's next chunk, or, when this chunk completed its
 * level, the next level's first chunks, or, after the last level, the run's completion. Every step
 * after the import is idempotent, so a redelivered task (whatever point the last one reached)
 * repeats them harmlessly.
 */
import { BlobNotFoundError, ImportFailure } from "../errors.ts";
import { findingFromError } from "../findings.ts";
import { importChunk } from "../engine/chunkImporter.ts";
import { summarise } from "../engine/summary.ts";
import type { ChunkOutcome } from "../outcomes.ts";
import type { ImportScope } from "../registry/types.ts";
import type { PipelineDeps } from "./deps.ts";
import { enqueueChunks } from "./enqueue.ts";
import {
  levelChunks,
  levelEntryChunks,
  maxLevel,
  nextChunkInRun,
  runOf,
  visibleModels,
} from "./schedule.ts";
import { countDone, endRun, ledgerResults, loadRun, markChunkDone } from "./sql.ts";
import { decryptStagedChunk } from "./staging.ts";
import type { ChunkTaskBody } from "./taskBody.ts";
import { publishResults } from "./results.ts";

/** How the HTTP layer answers: only `retry` is a failure status (Cloud Tasks retries non-2xx). */
export type TaskAnswer =
  | { readonly kind: "done"; readonly outcome: ChunkOutcome["kind"] }
  | { readonly kind: "ignored"; readonly reason: string }
  | { readonly kind: "rejected"; readonly reason: string }
  | { readonly kind: "retry"; readonly reason: string };

const SCOPES: Readonly<Record<string, ImportScope>> = { config: "Config", user: "User" };

export async function handleChunkTask(
  deps: PipelineDeps,
  body: ChunkTaskBody,
): Promise<TaskAnswer> {
  const { importUuid, model, minOrdinal } = body;
  const fields = { importUuid, model, ordinal: minOrdinal };
  const run = await loadRun(deps.db, importUuid);
  if (run?.plan === null || run === null) {
    // the run is recorded before any task is enqueued: a task without one is not ours
    deps.log("WARNING", "chunk task for an unknown or unplanned import: ignored", fields);
    return { kind: "ignored", reason: "unknown import" };
  }
  const plan = run.plan;
  if (run.status === "failed") {
    return { kind: "ignored", reason: "the import has failed" };
  }
  const plannedRun = runOf(plan, model);
  if (plannedRun?.chunks.some((c) => c.minOrdinal === minOrdinal) !== true) {
    deps.log("WARNING", "chunk task names no chunk of the plan: ignored", fields);
    return { kind: "ignored", reason: "not a planned chunk" };
  }

  let staged;
  try {
    staged = await decryptStagedChunk(
      deps.blobs.read({ bucket: deps.stagingBucket, name: body.object }),
      run.stagingKey,
      body.object,
    );
  } catch (error: unknown) {
    if (error instanceof BlobNotFoundError) {
      return failRun(
        deps,
        body,
        new ImportFailure("Unknown", `the staged chunk ${body.object} is missing`),
      );
    }
    throw error;
  }
  if (
    staged.importUuid !== importUuid ||
    staged.model !== model ||
    staged.minOrdinal !== minOrdinal
  ) {
    return failRun(
      deps,
      body,
      new ImportFailure("UnexpectedModel", `${body.object} holds another chunk`),
    );
  }

  const outcome = await importChunk(deps.db, {
    importUuid,
    scope: SCOPES[run.scope] ?? null,
    model,
    minOrdinal,
    rows: staged.rows,
    visibleModels: visibleModels(plan, model),
    flags: deps.settings.flags,
    filters: {
      usernames: run.flags.filter_usernames === null ? null : new Set(run.flags.filter_usernames),
      emails: run.emailFilter === null ? null : new Set(run.emailFilter),
    },
    now: (deps.now?.() ?? new Date()).toISOString(),
  });
  switch (outcome.kind) {
    case "retry":
      deps.log("WARNING", `transient failure, the task will be retried: ${outcome.reason}`, fields);
      return { kind: "retry", reason: outcome.reason };
    case "rejected":
      return failRun(deps, body, outcome.failure);
    case "needsOrder":
      // the pipeline delivers a run's chunks one at a time and never asks for this
      return failRun(deps, body, new ImportFailure("Unknown", outcome.reason));
    case "imported":
    case "alreadyImported":
    case "lostRace":
      break;
  }
  const key = { importUuid, model: plannedRun.model, minOrdinal };
  await markChunkDone(deps.db, key, outcome.kind);
  deps.log("INFO", `chunk ${outcome.kind}`, fields);

  const next = nextChunkInRun(plan, { model: plannedRun.model, minOrdinal });
  if (next !== null) {
    await enqueueChunks(deps.queue, importUuid, [next]);
    return { kind: "done", outcome: outcome.kind };
  }
  const level = plannedRun.level;
  const chunks = levelChunks(plan, level);
  if ((await countDone(deps.db, importUuid, chunks)) < chunks.length) {
    return { kind: "done", outcome: outcome.kind };
  }
  if (level < maxLevel(plan)) {
    await enqueueChunks(deps.queue, importUuid, levelEntryChunks(plan, level + 1));
    deps.log(
      "INFO",
      `level ${String(level)} complete, level ${String(level + 1)} enqueued`,
      fields,
    );
    return { kind: "done", outcome: outcome.kind };
  }
  const summary = summarise(plan, await ledgerResults(deps.db, importUuid));
  if (await endRun(deps.db, importUuid, { status: "completed", counts: summary, findings: [] })) {
    deps.log("NOTICE", "import completed", { importUuid });
  }
  await publishResults(deps, importUuid, { status: "completed", summary, findings: [] });
  return { kind: "done", outcome: outcome.kind };
}

async function failRun(
  deps: PipelineDeps,
  body: ChunkTaskBody,
  failure: ImportFailure,
): Promise<TaskAnswer> {
  const finding = findingFromError(failure);
  await endRun(deps.db, body.importUuid, { status: "failed", counts: null, findings: [finding] });
  await publishResults(deps, body.importUuid, {
    status: "failed",
    summary: null,
    findings: [finding],
  });
  deps.log("ERROR", `import failed: ${finding.reason}`, {
    importUuid: body.importUuid,
    model: body.model,
    ordinal: body.minOrdinal,
    kind: finding.kind,
  });
  return { kind: "rejected", reason: finding.reason };
}
