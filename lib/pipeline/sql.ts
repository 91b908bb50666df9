/** The pipeline's run state in `sentry_import` (import_run columns of migration 0006, chunk_done). */
import { z } from "zod";
import type { Finding } from "../findings.ts";
import type { ImportUuid, LedgerKey } from "../ledger/key.ts";
import { chunkResultFromLedgerRow, parseLedgerRow } from "../ledger/row.ts";
import type { ChunkResult } from "../ledger/result.ts";
import type { Plan } from "../planner/plan.ts";
import { parsePlan } from "../planner/plan.ts";
import type { Db } from "../ports.ts";
import type { ImportScope } from "../registry/types.ts";
import { runFlagsSchema } from "../engine/sql/importRuns.ts";
import type { RunFlags, RunStatus } from "../engine/sql/importRuns.ts";
import type { ChunkRef } from "./schedule.ts";

export interface PipelineRun {
  readonly importUuid: ImportUuid;
  readonly status: RunStatus;
  readonly stagingKey: string;
  readonly flags: RunFlags;
  readonly scope: string;
  readonly chunkSize: number;
  readonly plan: Plan | null;
  readonly emailFilter: readonly string[] | null;
}

const runSchema = z.looseObject({
  status: z.enum(["received", "planned", "importing", "completed", "failed"]),
  staging_key: z.string().nullable(),
  flags: runFlagsSchema,
  scope: z.string(),
  chunk_size: z.coerce.number().int().positive(),
  plan: z.unknown(),
  email_filter: z.array(z.string()).nullable(),
});

export async function loadRun(db: Db, importUuid: ImportUuid): Promise<PipelineRun | null> {
  const { rows } = await db.query(
    `SELECT status, staging_key, flags, scope, chunk_size, plan, email_filter
     FROM sentry_import.import_run WHERE import_uuid = $1::uuid`,
    [importUuid],
  );
  if (rows[0] === undefined) {
    return null;
  }
  const row = runSchema.parse(rows[0]);
  if (row.staging_key === null) {
    throw new Error(`import ${importUuid} has no staging key: it was not started by the pipeline`);
  }
  return {
    importUuid,
    status: row.status,
    stagingKey: row.staging_key,
    flags: row.flags,
    scope: row.scope,
    chunkSize: row.chunk_size,
    plan: row.plan === null || row.plan === undefined ? null : parsePlan(row.plan),
    emailFilter: row.email_filter,
  };
}

/**
 * Creates the run for a backup object unless it exists; a concurrent duplicate event creates
 * nothing and both read back the same staging key.
 */
export async function claimRun(
  db: Db,
  run: {
    readonly importUuid: ImportUuid;
    readonly source: string;
    readonly trigger: Readonly<Record<string, string>>;
    readonly scope: ImportScope;
    readonly flags: RunFlags;
    readonly chunkSize: number;
    readonly stagingKey: string;
  },
): Promise<PipelineRun> {
  await db.query(
    `INSERT INTO sentry_import.import_run (import_uuid, source, scope, flags, chunk_size, status, staging_key, trigger)
     VALUES ($1::uuid, $2, $3, $4::jsonb, $5, 'received', $6, $7::jsonb)
     ON CONFLICT (import_uuid) DO NOTHING`,
    [
      run.importUuid,
      run.source,
      run.scope.toLowerCase(),
      JSON.stringify(run.flags),
      run.chunkSize,
      run.stagingKey,
      JSON.stringify(run.trigger),
    ],
  );
  const loaded = await loadRun(db, run.importUuid);
  if (loaded === null) {
    throw new Error(`import ${run.importUuid} vanished right after it was claimed`);
  }
  return loaded;
}

export async function savePlan(
  db: Db,
  importUuid: ImportUuid,
  plan: Plan,
  emailFilter: readonly string[] | null,
): Promise<void> {
  await db.query(
    `UPDATE sentry_import.import_run
     SET plan = $2::jsonb, email_filter = $3::jsonb, status = 'planned', updated_at = now()
     WHERE import_uuid = $1::uuid AND status = 'received'`,
    [importUuid, JSON.stringify(plan), emailFilter === null ? null : JSON.stringify(emailFilter)],
  );
}

/** Moves a run forward; a run that failed or completed stays as it is. */
export async function setRunStatus(
  db: Db,
  importUuid: ImportUuid,
  status: Extract<RunStatus, "importing">,
): Promise<void> {
  await db.query(
    `UPDATE sentry_import.import_run SET status = $2, updated_at = now()
     WHERE import_uuid = $1::uuid AND status IN ('received', 'planned')`,
    [importUuid, status],
  );
}

export async function endRun(
  db: Db,
  importUuid: ImportUuid,
  outcome: {
    readonly status: "completed" | "failed";
    readonly counts: unknown;
    readonly findings: readonly Finding[];
  },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sentry_import.import_run
     SET status = $2, counts = coalesce($3::jsonb, counts), findings = $4::jsonb, updated_at = now()
     WHERE import_uuid = $1::uuid AND status NOT IN ('completed', 'failed')`,
    [
      importUuid,
      outcome.status,
      outcome.counts === null ? null : JSON.stringify(outcome.counts),
      JSON.stringify(outcome.findings),
    ],
  );
  return rowCount > 0;
}

export async function markChunkDone(db: Db, key: LedgerKey, outcome: string): Promise<void> {
  await db.query(
    `INSERT INTO sentry_import.chunk_done (import_uuid, model, min_ordinal, outcome)
     VALUES ($1::uuid, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [key.importUuid, key.model, key.minOrdinal, outcome],
  );
}

/** How many of `chunks` are done. */
export async function countDone(
  db: Db,
  importUuid: ImportUuid,
  chunks: readonly ChunkRef[],
): Promise<number> {
  if (chunks.length === 0) {
    return 0;
  }
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sentry_import.chunk_done d
     JOIN json_to_recordset($2::json) AS x(model text, min_ordinal bigint)
       ON d.model = x.model AND d.min_ordinal = x.min_ordinal
     WHERE d.import_uuid = $1::uuid`,
    [
      importUuid,
      JSON.stringify(chunks.map((c) => ({ model: c.model, min_ordinal: c.minOrdinal }))),
    ],
  );
  return rows[0]?.n ?? 0;
}

/** Every ledger row of the import, as chunk results (for the summary). */
export async function ledgerResults(db: Db, importUuid: ImportUuid): Promise<ChunkResult[]> {
  const { rows } = await db.query(
    `SELECT * FROM sentry_controlimportchunk WHERE import_uuid = $1::uuid
     UNION ALL SELECT * FROM sentry_regionimportchunk WHERE import_uuid = $1::uuid`,
    [importUuid],
  );
  return rows.map((row) => chunkResultFromLedgerRow(parseLedgerRow(row)));
}

/**
 * Takes the planning lease of a received run. Only one delivery of a finalize event plans at a
 * time; a crashed planner's lease runs out, and a later redelivery takes over.
 */
export async function takePlanningLease(
  db: Db,
  importUuid: ImportUuid,
  leaseSeconds: number,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sentry_import.import_run
     SET planning_until = now() + make_interval(secs => $2), updated_at = now()
     WHERE import_uuid = $1::uuid AND status = 'received'
       AND (planning_until IS NULL OR planning_until < now())`,
    [importUuid, leaseSeconds],
  );
  return rowCount > 0;
}
