/**
 * The finalize event of a backup object (gcp-platform.md §2): claim the import (keyed by the
 * object's generation, so a redelivered event finds its run), decrypt through KMS, validate and
 * plan without writing, stage the encrypted chunks, record the plan, and enqueue the first
 * level. Permanent failures are recorded on the run and end normally; only transient ones throw,
 * so Eventarc retries them.
 */

import { ImportFailure, SentryImportError } from "../errors.ts";
import { findingFromError } from "../findings.ts";
import { openEncryptedBackup } from "../format/openBackup.ts";
import { generateFernetKeyText } from "../format/fernetKey.ts";
import { planImport } from "../engine/planImport.ts";
import type { ImportUuid } from "../ledger/key.ts";
import { summarise } from "../engine/summary.ts";
import { DbError } from "../errors.ts";
import type { PipelineDeps } from "./deps.ts";
import { enqueueChunks } from "./enqueue.ts";
import { backupObjectUri, importUuidForObject } from "./identity.ts";
import { levelEntryChunks } from "./schedule.ts";
import { claimRun, endRun, savePlan, setRunStatus, takePlanningLease } from "./sql.ts";
import { stageChunks } from "./stageChunks.ts";
import { publishResults } from "./results.ts";

/** Longer than any planner may run: the event function's 540 s or a plan task's 1800 s. */
const PLANNING_LEASE_SECONDS = 35 * 60;

/** Another delivery of the same event is planning right now: retry later. */
export class PlanningInProgress extends Error {}

export interface BackupObject {
  readonly bucket: string;
  readonly name: string;
  /** decimal string */
  readonly generation: string;
}

export type BackupOutcome =
  | { readonly kind: "started"; readonly importUuid: ImportUuid; readonly chunks: number }
  | { readonly kind: "duplicate"; readonly importUuid: ImportUuid; readonly status: string }
  | { readonly kind: "completed"; readonly importUuid: ImportUuid }
  | { readonly kind: "rejected"; readonly importUuid: ImportUuid; readonly reason: string };

/** Errors worth another delivery: the database or a Google API being briefly unavailable. */
export function isTransient(error: unknown): boolean {
  if (error instanceof DbError) {
    return error.classification === "retryable";
  }
  // failures we classified (bad archive, wrong key, invalid export) never heal by themselves
  return !(error instanceof SentryImportError);
}

export async function handleFinalizedBackup(
  deps: PipelineDeps,
  object: BackupObject,
): Promise<BackupOutcome> {
  const importUuid = importUuidForObject(object.bucket, object.name, object.generation);
  const source = backupObjectUri(object.bucket, object.name, object.generation);
  const log = (message: string, fields: Record<string, unknown> = {}): void => {
    deps.log("INFO", message, { importUuid, ...fields });
  };
  const flags = {
    merge_users: deps.settings.flags.mergeUsers,
    overwrite_configs: deps.settings.flags.overwriteConfigs,
    filter_usernames: null,
    password_mode: deps.settings.flags.passwordMode.kind,
  };
  const run = await claimRun(deps.db, {
    importUuid,
    source,
    trigger: { ...object },
    scope: deps.settings.scope,
    flags,
    chunkSize: deps.settings.chunkSize,
    stagingKey: generateFernetKeyText().toString("latin1"),
  });
  if (run.status === "importing" || run.status === "completed" || run.status === "failed") {
    // a redelivered event: the first delivery got at least as far as enqueuing level 0, which
    // is idempotent, so repeat just that in case it crashed right after recording the plan
    if (run.status === "importing" && run.plan !== null) {
      await enqueueChunks(deps.queue, importUuid, levelEntryChunks(run.plan, 0));
    }
    log("finalize event redelivered: nothing new to do", { status: run.status });
    return { kind: "duplicate", importUuid, status: run.status };
  }

  if (!(await takePlanningLease(deps.db, importUuid, PLANNING_LEASE_SECONDS))) {
    // not a SentryImportError, so transient: Eventarc redelivers later, and that delivery finds
    // the run importing (or takes over if this planner died)
    throw new PlanningInProgress(`import ${importUuid} is being planned by another delivery`);
  }
  try {
    const blobRef = { bucket: object.bucket, name: object.name, generation: object.generation };
    const opened = await openEncryptedBackup(() => deps.blobs.read(blobRef), deps.decryptor, {
      label: source,
    });
    const settings = { ...deps.settings, chunkSize: run.chunkSize };
    const planned = await planImport(opened.plaintext, importUuid, settings);
    log("backup validated and planned", {
      runs: planned.plan.runs.length,
      rows: planned.plan.totalRows,
    });
    const staged = await stageChunks({
      plaintext: opened.plaintext,
      plan: planned.plan,
      userKeys: planned.userKeys,
      blobs: deps.blobs,
      stagingBucket: deps.stagingBucket,
      stagingKey: run.stagingKey,
      importUuid,
    });
    await savePlan(deps.db, importUuid, planned.plan, planned.emailFilter);
    if (planned.plan.runs.length === 0) {
      const summary = summarise(planned.plan, []);
      await endRun(deps.db, importUuid, { status: "completed", counts: summary, findings: [] });
      await publishResults(deps, importUuid, { status: "completed", summary, findings: [] });
      log("nothing to import: run completed");
      return { kind: "completed", importUuid };
    }
    await setRunStatus(deps.db, importUuid, "importing");
    await enqueueChunks(deps.queue, importUuid, levelEntryChunks(planned.plan, 0));
    log("chunks staged, first level enqueued", { chunks: staged.staged });
    return { kind: "started", importUuid, chunks: staged.staged };
  } catch (error: unknown) {
    if (isTransient(error)) {
      throw error;
    }
    const finding = findingFromError(error);
    await endRun(deps.db, importUuid, { status: "failed", counts: null, findings: [finding] });
    await publishResults(deps, importUuid, {
      status: "failed",
      summary: null,
      findings: [finding],
    });
    deps.log("ERROR", `import failed: ${finding.reason}`, {
      importUuid,
      kind: finding.kind,
      ...(finding.on.model === null ? {} : { model: finding.on.model }),
      ...(error instanceof ImportFailure && error.on.ordinal !== null
        ? { ordinal: error.on.ordinal }
        : {}),
    });
    return { kind: "rejected", importUuid, reason: finding.reason };
  }
}
