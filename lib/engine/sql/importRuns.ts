/**
 * `sentry_import.import_run`: one row per import uuid, with its flags and chunk size (fixed for
 * its life, decision h), its plan, status and per-model counts. A resumed import reads it back.
 */
import { z } from "zod";
import type { Finding } from "../../findings.ts";
import type { ImportUuid } from "../../ledger/key.ts";
import type { Plan } from "../../planner/plan.ts";
import type { Db } from "../../ports.ts";
import type { ImportScope } from "../../registry/types.ts";
import type { ImportSummary } from "../summary.ts";

export const RUN_STATUSES = ["received", "planned", "importing", "completed", "failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The flags a run is pinned to: resuming with other flags would mix two different imports. */
export const runFlagsSchema = z.strictObject({
  merge_users: z.boolean(),
  overwrite_configs: z.boolean(),
  filter_usernames: z.array(z.string()).nullable(),
  password_mode: z.string(),
});
export type RunFlags = z.infer<typeof runFlagsSchema>;

const runRowSchema = z.looseObject({
  import_uuid: z.string(),
  source: z.string(),
  scope: z.string(),
  flags: runFlagsSchema,
  chunk_size: z.coerce.number().int().positive(),
  status: z.enum(RUN_STATUSES),
  counts: z.unknown(),
  findings: z.unknown(),
  created_at: z.unknown(),
  updated_at: z.unknown(),
});
export type ImportRunRow = z.infer<typeof runRowSchema>;

export async function findRun(db: Db, importUuid: ImportUuid): Promise<ImportRunRow | null> {
  const { rows } = await db.query(
    `SELECT import_uuid::text AS import_uuid, source, scope, flags, chunk_size, status, counts,
            findings, created_at, updated_at
     FROM sentry_import.import_run WHERE import_uuid = $1::uuid`,
    [importUuid],
  );
  return rows[0] === undefined ? null : runRowSchema.parse(rows[0]);
}

export async function listRuns(db: Db, limit: number): Promise<ImportRunRow[]> {
  const { rows } = await db.query(
    `SELECT import_uuid::text AS import_uuid, source, scope, flags, chunk_size, status, counts,
            findings, created_at, updated_at
     FROM sentry_import.import_run ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  return rows.map((row) => runRowSchema.parse(row));
}

/** Creates the run, or (a resumed import) moves it back to `status` with the new plan. */
export async function recordRun(
  db: Db,
  run: {
    readonly importUuid: ImportUuid;
    readonly source: string;
    readonly scope: ImportScope;
    readonly flags: RunFlags;
    readonly chunkSize: number;
    readonly status: RunStatus;
    readonly plan: Plan | null;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO sentry_import.import_run (import_uuid, source, scope, flags, chunk_size, status, plan)
     VALUES ($1::uuid, $2, $3, $4::jsonb, $5, $6, $7::jsonb)
     ON CONFLICT (import_uuid) DO UPDATE
       SET status = excluded.status, plan = coalesce(excluded.plan, import_run.plan), updated_at = now()`,
    [
      run.importUuid,
      run.source,
      run.scope.toLowerCase(),
      JSON.stringify(run.flags),
      run.chunkSize,
      run.status,
      run.plan === null ? null : JSON.stringify(run.plan),
    ],
  );
}

export async function finishRun(
  db: Db,
  importUuid: ImportUuid,
  outcome: {
    readonly status: Extract<RunStatus, "completed" | "failed">;
    readonly summary: ImportSummary | null;
    readonly findings: readonly Finding[];
  },
): Promise<void> {
  await db.query(
    `UPDATE sentry_import.import_run
     SET status = $2, counts = coalesce($3::jsonb, counts), findings = $4::jsonb, updated_at = now()
     WHERE import_uuid = $1::uuid`,
    [
      importUuid,
      outcome.status,
      outcome.summary === null ? null : JSON.stringify(outcome.summary),
      JSON.stringify(outcome.findings),
    ],
  );
}
