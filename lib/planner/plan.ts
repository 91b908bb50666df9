/**
 * The import plan (import-semantics.md §17 step 6): runs in file order, their chunks and
 * dependency levels, and the runs that are skipped. It holds no row data, only positions, so it
 * stays small whatever the file size; it is stored with the import (Postgres) and passed between
 * functions, hence the schema, which re-checks every invariant a corrupted plan could break.
 */
import { z } from "zod";
import { importUuidSchema } from "../ledger/key.ts";
import type { ImportUuid } from "../ledger/key.ts";
import { modelNameSchema } from "../pkmap.ts";
import { IMPORT_SCOPES } from "../registry/types.ts";
import type { ImportScope, ModelName } from "../registry/types.ts";
import { chunkSizeSchema, cutChunks } from "./chunks.ts";
import type { PlannedChunk } from "./chunks.ts";
import { dependencyLevels } from "./levels.ts";
import type { Related } from "./levels.ts";
import { assertContiguousModels } from "./runs.ts";
import type { Run } from "./runs.ts";

/**
 * Why a run takes no part in the import (§5):
 * - `outOfScope`: a registry model none of whose scopes the import scope brings in;
 * - `unknown`: not a model sentry-import knows (another Django app, a newer Sentry model);
 * - `removed`: a model Sentry deleted (`sentry.actor`), dropped silently as Sentry does.
 */
export const SKIP_REASONS = ["outOfScope", "unknown", "removed"] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** What to do with a model's run in this import. */
export type ModelDisposition = "import" | SkipReason;

export interface PlannedRun extends Run {
  /** runs of one level may be imported concurrently; level n+1 starts after level n is done */
  readonly level: number;
  /** in ordinal order, which is also the order they must be imported in (§6.3 rule 3) */
  readonly chunks: readonly PlannedChunk[];
}

export interface SkippedRun extends Run {
  readonly reason: SkipReason;
}

export interface Plan {
  readonly version: 1;
  readonly importUuid: ImportUuid;
  readonly scope: ImportScope;
  /** fixed for the life of the import: a resumed import must cut the same chunks (decision h) */
  readonly chunkSize: number;
  /** rows in the file, skipped ones included */
  readonly totalRows: number;
  /** the runs to import, in file order */
  readonly runs: readonly PlannedRun[];
  /** the runs passed over without error and without a chunk, in file order */
  readonly skipped: readonly SkippedRun[];
}

export interface PlanInput {
  readonly importUuid: ImportUuid;
  readonly scope: ImportScope;
  readonly chunkSize: number;
  /** every run of the file in order, as `RunDetector.finish()` returns them */
  readonly runs: readonly Run[];
  /** decides per model; depends on the scope, which is why it is a parameter */
  readonly classify: (model: ModelName) => ModelDisposition;
  /** the §6.2 relation among importable models */
  readonly related: Related;
}

/** @throws ImportFailure `NonContiguousModelRun` (decision c) */
export function buildPlan(input: PlanInput): Plan {
  const { runs, chunkSize } = input;
  chunkSizeSchema.parse(chunkSize);
  assertContiguousModels(runs);
  const importable: Run[] = [];
  const skipped: SkippedRun[] = [];
  for (const run of runs) {
    const disposition = input.classify(run.model);
    if (disposition === "import") {
      importable.push(run);
    } else {
      skipped.push({ ...run, reason: disposition });
    }
  }
  const levels = dependencyLevels(
    importable.map((run) => run.model),
    input.related,
  );
  return {
    version: 1,
    importUuid: input.importUuid,
    scope: input.scope,
    chunkSize,
    totalRows: runs.reduce((total, run) => total + run.rowCount, 0),
    runs: importable.map((run, i) => ({
      ...run,
      level: levels[i] ?? 0,
      chunks: cutChunks(run, chunkSize),
    })),
    skipped,
  };
}

/** The planned runs grouped by level, level 0 first; each group in file order. */
export function runsByLevel(plan: Plan): readonly (readonly PlannedRun[])[] {
  const groups: PlannedRun[][] = [];
  for (const run of plan.runs) {
    (groups[run.level] ??= []).push(run);
  }
  // a level is 1 + an earlier level, so no level between 0 and the maximum is empty
  return groups;
}

export function chunkCount(plan: Plan): number {
  return plan.runs.reduce((total, run) => total + run.chunks.length, 0);
}

const positionSchema = z.int().positive();

const runFields = {
  model: modelNameSchema,
  firstPosition: positionSchema,
  lastPosition: positionSchema,
  rowCount: positionSchema,
};

const plannedChunkSchema = z.strictObject({
  minOrdinal: positionSchema,
  rowCount: positionSchema,
  firstPosition: positionSchema,
  lastPosition: positionSchema,
});

export const planSchema = z
  .strictObject({
    version: z.literal(1),
    importUuid: importUuidSchema,
    scope: z.enum(IMPORT_SCOPES),
    chunkSize: chunkSizeSchema,
    totalRows: z.int().nonnegative(),
    runs: z.array(
      z.strictObject({
        ...runFields,
        level: z.int().nonnegative(),
        chunks: z.array(plannedChunkSchema),
      }),
    ),
    skipped: z.array(z.strictObject({ ...runFields, reason: z.enum(SKIP_REASONS) })),
  })
  .superRefine((plan, ctx) => {
    for (const message of planInconsistencies(plan)) {
      ctx.addIssue({ code: "custom", message });
    }
  }) satisfies z.ZodType<Plan>;

/** Parses a stored or received plan; throws a `ZodError` naming every inconsistency. */
export function parsePlan(raw: unknown): Plan {
  return planSchema.parse(raw);
}

/**
 * What makes a plan unusable: runs that do not tile the file, a model in two runs, chunks that
 * `cutChunks` would not cut (so ledger keys would differ from a fresh plan), or a gap in the
 * levels. Whether the levels fit the §6.2 relation is not checked: the schema does not know it.
 */
function planInconsistencies(plan: Plan): string[] {
  const problems: string[] = [];
  const all = [...plan.runs, ...plan.skipped].sort((a, b) => a.firstPosition - b.firstPosition);
  let next = 1;
  let previous: ModelName | null = null;
  const seen = new Set<ModelName>();
  for (const run of all) {
    if (run.firstPosition !== next) {
      problems.push(`${run.model}: starts at row ${run.firstPosition}, expected ${next}`);
    }
    if (run.rowCount !== run.lastPosition - run.firstPosition + 1) {
      problems.push(
        `${run.model}: rowCount does not match rows ${run.firstPosition}–${run.lastPosition}`,
      );
    }
    if (run.model === previous) {
      problems.push(`${run.model}: adjacent runs of one model are one run`);
    }
    if (seen.has(run.model)) {
      problems.push(`${run.model}: appears in more than one run`);
    }
    seen.add(run.model);
    previous = run.model;
    next = run.lastPosition + 1;
  }
  if (next - 1 !== plan.totalRows) {
    problems.push(`runs cover ${next - 1} rows, totalRows is ${plan.totalRows}`);
  }
  for (const run of plan.runs) {
    const expected = cutChunks(run, plan.chunkSize);
    const same =
      expected.length === run.chunks.length &&
      expected.every((chunk, i) => {
        const actual = run.chunks[i];
        return (
          actual?.minOrdinal === chunk.minOrdinal &&
          actual.rowCount === chunk.rowCount &&
          actual.firstPosition === chunk.firstPosition &&
          actual.lastPosition === chunk.lastPosition
        );
      });
    if (!same) {
      problems.push(`${run.model}: chunks differ from a cut at chunk size ${plan.chunkSize}`);
    }
  }
  const maxLevel = Math.max(-1, ...plan.runs.map((run) => run.level));
  for (let level = 0; level <= maxLevel; level += 1) {
    if (!plan.runs.some((run) => run.level === level)) {
      problems.push(`level ${level} is empty`);
    }
  }
  return problems;
}
