/**
 * The CLI's import: plan (no writes), then import every run's chunks in ordinal order, through
 * the same chunk importer the serverless path uses. Up to `concurrency` runs go at once, taken
 * level by level (import-semantics.md §6.3); a chunk starts as soon as the chunks of earlier
 * related runs it depends on have committed (`chunkGates.ts`), so the runs that only reference
 * users follow the user run instead of waiting for its end. Each chunk commits on its own with
 * its ledger row, so an interrupted import resumes with the same import uuid and never
 * duplicates.
 */
import { ImportFailure } from "../errors.ts";
import type { UnresolvedReference } from "../export/naturalKeys.ts";
import type { SplitOptions } from "../export/splitter.ts";
import type { ImportUuid } from "../ledger/key.ts";
import type { ChunkOutcome } from "../outcomes.ts";
import type { Plan, PlannedRun } from "../planner/plan.ts";
import type { ByteSource, Database } from "../ports.ts";
import type { ModelName } from "../registry/types.ts";
import type { ChunkGate } from "./chunkGates.ts";
import { importChunk } from "./chunkImporter.ts";
import type { ChunkImportOptions } from "./chunkImporter.ts";
import type { ChunkRequest } from "./chunkRequest.ts";
import type { ImportSettings } from "./importOptions.ts";
import { planImport } from "./planImport.ts";
import { RunFrontiers } from "./runFrontiers.ts";
import { readRunChunks } from "./runReader.ts";
import type { PlannedImport } from "./planImport.ts";
import { SummaryCounts, summarise } from "./summary.ts";
import type { ImportSummary } from "./summary.ts";

export type ImportProgress =
  | { readonly kind: "planned"; readonly plan: Plan }
  | {
      readonly kind: "chunk";
      readonly model: ModelName;
      readonly rows: number;
      readonly outcome: ChunkOutcome["kind"];
    }
  | { readonly kind: "level"; readonly level: number; readonly models: readonly ModelName[] };

export interface RunImportOptions {
  readonly importUuid: ImportUuid;
  readonly settings: ImportSettings;
  /** runs imported at the same time within a level; 1 on an embedded database */
  readonly concurrency: number;
  /** validate and plan, write nothing */
  readonly dryRun: boolean;
  readonly onProgress?: (event: ImportProgress) => void;
  /** awaited after the plan succeeded and before the first write (e.g. to record the run) */
  readonly onPlanned?: (plan: Plan) => Promise<void>;
  /** attempts for a chunk whose outcome is `retry` (a transient database error) */
  readonly retryAttempts?: number;
  /** milliseconds to wait before attempt `attempt + 1`; default 50·2^attempt */
  readonly retryDelay?: (attempt: number) => number;
  readonly chunkOptions?: ChunkImportOptions;
  /** the import's "now"; defaults to the wall clock at the start */
  readonly now?: string;
  /** rows (array elements) larger than this are rejected, not buffered; the splitter's default */
  readonly maxElementBytes?: number;
}

export interface ImportReport {
  readonly importUuid: ImportUuid;
  readonly plan: Plan;
  readonly dryRun: boolean;
  readonly summary: ImportSummary;
  /** rows skipped because a natural-key user reference named no user of the file */
  readonly unresolvedReferences: readonly UnresolvedReference[];
}

/**
 * Set once a chunk of the import failed: the runs in flight start no further chunk, and the
 * chunks waiting for another run's progress stop waiting.
 */
class StopSignal {
  stopped = false;
  readonly #frontiers: RunFrontiers;

  constructor(frontiers: RunFrontiers) {
    this.#frontiers = frontiers;
  }

  stop(): void {
    this.stopped = true;
    this.#frontiers.release();
  }
}

/**
 * Runs `tasks` with at most `limit` in flight. The first failure sets `stop`: no new task
 * starts, and the tasks in flight stop at their next check of it (between two chunks).
 */
async function runLimited<T>(
  items: readonly T[],
  limit: number,
  stop: StopSignal,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, async () => {
    for (let item = queue.shift(); item !== undefined && !stop.stopped; item = queue.shift()) {
      try {
        await task(item);
      } catch (error) {
        stop.stop();
        throw error;
      }
    }
  });
  const settled = await Promise.allSettled(workers);
  const rejection = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (rejection !== undefined) {
    throw rejection.reason;
  }
}

/** The chunk's outcome, retried on `retry`; null when the import stopped while backing off. */
async function importWithRetries(
  stop: StopSignal,
  database: Database,
  request: ChunkRequest,
  options: RunImportOptions,
): Promise<ChunkOutcome | null> {
  const attempts = options.retryAttempts ?? 5;
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await importChunk(database, request, options.chunkOptions);
    if (outcome.kind !== "retry" || attempt >= attempts) {
      return outcome;
    }
    const delay = options.retryDelay?.(attempt) ?? 50 * 2 ** attempt;
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (stop.stopped) {
      return null;
    }
  }
}

export async function runImport(
  database: Database,
  source: ByteSource,
  options: RunImportOptions,
): Promise<ImportReport> {
  const now = options.now ?? new Date().toISOString();
  const split =
    options.maxElementBytes === undefined ? {} : { maxElementBytes: options.maxElementBytes };
  const planned: PlannedImport = await planImport(
    source,
    options.importUuid,
    options.settings,
    split,
  );
  const { plan } = planned;
  options.onProgress?.({ kind: "planned", plan });
  if (!options.dryRun) {
    await options.onPlanned?.(plan);
  }
  // per-model counts only: the chunks' pk-map entries are not kept (they are in the database)
  const results = new SummaryCounts();
  const unresolved: UnresolvedReference[] = [];
  if (!options.dryRun) {
    const earlier = new Map<ModelName, readonly ModelName[]>();
    plan.runs.forEach((run, i) =>
      earlier.set(
        run.model,
        plan.runs.slice(0, i).map((r) => r.model),
      ),
    );
    const frontiers = new RunFrontiers();
    // an import aborts on its first error (§13): the other runs stop too
    const stop = new StopSignal(frontiers);
    const announced = new Set<number>();
    await runLimited(schedule(plan), options.concurrency, stop, async (run) => {
      if (!announced.has(run.level)) {
        announced.add(run.level);
        const models = plan.runs.filter((r) => r.level === run.level).map((r) => r.model);
        options.onProgress?.({ kind: "level", level: run.level, models });
      }
      await importRun(
        database,
        source,
        split,
        stop,
        { run, gates: planned.gates.get(run.model) ?? [], frontiers },
        earlier.get(run.model) ?? [],
        planned,
        options,
        now,
        results,
        unresolved,
      );
      frontiers.complete(run.model);
    });
  }
  return {
    importUuid: options.importUuid,
    plan,
    dryRun: options.dryRun,
    summary: summarise(plan, results),
    unresolvedReferences: unresolved,
  };
}

/**
 * The order runs are taken in: by level, so a run's dependencies were all taken before it (no
 * run waits for one that no worker holds); within a level the largest first, so the long runs
 * that follow the user run chunk by chunk start while it is still going.
 */
function schedule(plan: Plan): readonly PlannedRun[] {
  return [...plan.runs].sort((a, b) => a.level - b.level || b.rowCount - a.rowCount);
}

/** A run with what its chunks wait for. */
interface GatedRun {
  readonly run: PlannedRun;
  /** per chunk, in ordinal order */
  readonly gates: readonly (readonly ChunkGate[])[];
  readonly frontiers: RunFrontiers;
}

/**
 * Yields what `source` yields, reading the next item while the caller works on the current one:
 * the next chunk is cut from the export and parsed while the database writes this one.
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    for (;;) {
      const current = await pending;
      if (current.done === true) {
        return;
      }
      pending = iterator.next();
      // a read failure surfaces when the caller asks for that item, not as an unhandled rejection
      pending.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await iterator.return?.();
  }
}

async function importRun(
  database: Database,
  source: ByteSource,
  split: SplitOptions,
  stop: StopSignal,
  { run, gates, frontiers }: GatedRun,
  visibleModels: readonly ModelName[],
  planned: PlannedImport,
  options: RunImportOptions,
  now: string,
  results: SummaryCounts,
  unresolved: UnresolvedReference[],
): Promise<void> {
  const { settings } = options;
  const filters = {
    usernames: settings.usernameFilter === null ? null : new Set(settings.usernameFilter),
    emails: planned.emailFilter === null ? null : new Set(planned.emailFilter),
  };
  const chunks = readAhead(
    readRunChunks(
      source,
      run,
      planned.userKeys,
      unresolved,
      split,
      planned.runOffsets.get(run.firstPosition),
    ),
  );
  let index = 0;
  for await (const { chunk, rows } of chunks) {
    await frontiers.waitFor(gates[index] ?? []);
    index += 1;
    if (stop.stopped) {
      return;
    }
    const outcome = await importWithRetries(
      stop,
      database,
      {
        importUuid: options.importUuid,
        scope: settings.scope,
        model: run.model,
        minOrdinal: chunk.minOrdinal,
        rows,
        visibleModels,
        flags: settings.flags,
        filters,
        now,
        // planImport validated every row of the run
        validated: true,
      },
      options,
    );
    if (outcome === null) {
      return;
    }
    options.onProgress?.({
      kind: "chunk",
      model: run.model,
      rows: chunk.rowCount,
      outcome: outcome.kind,
    });
    switch (outcome.kind) {
      case "imported":
      case "alreadyImported":
      case "lostRace":
        results.add(outcome.result);
        frontiers.advance(run.model);
        break;
      case "rejected":
        throw outcome.failure;
      case "retry":
        throw new ImportFailure(
          "DatabaseError",
          `gave up after repeated transient failures: ${outcome.reason}`,
          {
            on: { model: run.model, ordinal: chunk.minOrdinal },
          },
        );
    }
  }
}
