/**
 * Which chunk tasks to enqueue when (import-semantics.md §6.3): the runs of a level run
 * concurrently, the chunks of one run strictly in ordinal order (rows collide with earlier rows
 * of their own run), and a level starts only after the previous one completed. So a level starts
 * with the first chunk of each of its runs, every finished chunk enqueues its successor, and the
 * last chunk of a level opens the next level.
 */
import type { Plan, PlannedRun } from "../planner/plan.ts";
import type { ModelName } from "../registry/types.ts";

export interface ChunkRef {
  readonly model: ModelName;
  readonly minOrdinal: number;
}

export function maxLevel(plan: Plan): number {
  return plan.runs.reduce((max, run) => Math.max(max, run.level), -1);
}

export function runsOfLevel(plan: Plan, level: number): readonly PlannedRun[] {
  return plan.runs.filter((run) => run.level === level);
}

/** The first chunk of every run of `level`. */
export function levelEntryChunks(plan: Plan, level: number): readonly ChunkRef[] {
  return runsOfLevel(plan, level).flatMap((run) => {
    const first = run.chunks[0];
    return first === undefined ? [] : [{ model: run.model, minOrdinal: first.minOrdinal }];
  });
}

/** Every chunk of `level`: what must be done before the next level starts. */
export function levelChunks(plan: Plan, level: number): readonly ChunkRef[] {
  return runsOfLevel(plan, level).flatMap((run) =>
    run.chunks.map((chunk) => ({ model: run.model, minOrdinal: chunk.minOrdinal })),
  );
}

export function runOf(plan: Plan, model: string): PlannedRun | undefined {
  return plan.runs.find((run) => run.model === model);
}

/** The chunk after `chunk` in its run, or null after the last one. */
export function nextChunkInRun(plan: Plan, chunk: ChunkRef): ChunkRef | null {
  const run = runOf(plan, chunk.model);
  if (run === undefined) {
    return null;
  }
  const index = run.chunks.findIndex((c) => c.minOrdinal === chunk.minOrdinal);
  const next = index === -1 ? undefined : run.chunks[index + 1];
  return next === undefined ? null : { model: run.model, minOrdinal: next.minOrdinal };
}

/** Models whose runs come before `model`'s in the file: the pk-map entries it may see. */
export function visibleModels(plan: Plan, model: string): readonly ModelName[] {
  const index = plan.runs.findIndex((run) => run.model === model);
  return plan.runs.slice(0, Math.max(0, index)).map((run) => run.model);
}
