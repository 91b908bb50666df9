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
import { USER, USER_EMAIL, USER_OPTION } from "../registry/names.ts";
import type { ModelName } from "../registry/types.ts";
import type { NewAddressHint } from "../writer/types.ts";
import type { ChunkGate } from "./chunkGates.ts";
import { importChunk } from "./chunkImporter.ts";
import type { ChunkImportOptions } from "./chunkImporter.ts";
import type { ChunkRequest } from "./chunkRequest.ts";
import type { ImportSettings } from "./importOptions.ts";
import { planImport } from "./planImport.ts";
import { RunFrontiers } from "./runFrontiers.ts";
import { readRunChunks } from "./runReader.ts";
import type { ChunkOfRows } from "./runReader.ts";
import { ChunkWindow } from "./chunkWindow.ts";
import type { ChunkAttempt } from "./chunkWindow.ts";
import type { PlannedImport } from "./planImport.ts";
import { SummaryCounts, summarise } from "./summary.ts";
import type { ImportSummary } from "./summary.ts";

/**
 * Chunks of one run written at once when the run allows it: two keep both cores busy (the
 * client's work for one chunk overlaps the server's for the other); more only add contention.
 */
const CONCURRENT_CHUNKS_PER_RUN = 2;

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

/**
 * How many chunks of `run` may be written at once: several for the user and user-option runs
 * when the plan pass found their rows free of collisions with each other
 * (`userRunIndependence.ts`, `userOptionRunIndependence.ts`), else one.
 */
function chunkWidth(run: PlannedRun, planned: PlannedImport, options: RunImportOptions): number {
  const width = Math.min(CONCURRENT_CHUNKS_PER_RUN, options.concurrency);
  if (run.model === USER_OPTION) {
    return planned.userOptionRunIndependent ? width : 1;
  }
  if (run.model !== USER) {
    return 1;
  }
  const { independent, addressesCreatedEarlier } = planned.userRun;
  // a merged user creates no Email row, so one that a later chunk leaves to it could go missing
  const sharesAddresses = addressesCreatedEarlier.size > 0;
  return independent && !(sharesAddresses && options.settings.flags.mergeUsers) ? width : 1;
}

/** Plain INSERTs that met an existing address before a run stops trying them. */
const MAX_NEW_ADDRESS_MISSES = 3;

/**
 * The user run's `NewAddressHint`s: none when the plan pass could not prove addresses new (a
 * run that is not independent keeps no `addressesCreatedEarlier`; a merged user creates
 * nothing, so one that a later chunk leaves to it could go missing; the file's own Email rows,
 * as a Sentry export has them, create the users' addresses), and none once the database has
 * shown it held the file's addresses already (a re-import).
 */
function newAddressHintsFor(
  run: PlannedRun,
  planned: PlannedImport,
  options: RunImportOptions,
): { hintFor(chunk: number): NewAddressHint | undefined } | null {
  const { independent, addressesInOtherUserEmails, emailRowsInFile } = planned.userRun;
  if (run.model !== USER || !independent || emailRowsInFile || options.settings.flags.mergeUsers) {
    return null;
  }
  const misses = { count: 0 };
  const none = new Float64Array(0);
  return {
    hintFor: (chunk) =>
      misses.count >= MAX_NEW_ADDRESS_MISSES
        ? undefined
        : { mayExist: addressesInOtherUserEmails.get(chunk) ?? none, misses },
  };
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
  // per chunk, the addresses it leaves to a user's side effect elsewhere (see `ChunkRequest`)
  const addressLists =
    run.model === USER_EMAIL
      ? planned.userEmailAddressesLeft
      : run.model === USER
        ? planned.userRun.addressesCreatedEarlier
        : null;
  const newAddressHints = newAddressHintsFor(run, planned, options);
  const chunkWindow = new ChunkWindow<ChunkOfRows>(chunkWidth(run, planned, options), () => {
    frontiers.advance(run.model);
  });

  async function importOne(
    { chunk, rows }: ChunkOfRows,
    concurrentSiblings: boolean,
  ): Promise<ChunkAttempt> {
    const index = Math.floor((chunk.minOrdinal - 1) / settings.chunkSize);
    // a user chunk in order sees the earlier chunks' rows, so it needs their addresses left out
    // only beside them, or with hints (so that the addresses it inserts plainly are new)
    const createdEarlier =
      run.model === USER_EMAIL || concurrentSiblings || newAddressHints !== null
        ? addressLists?.get(index)
        : undefined;
    const newAddressHint = newAddressHints?.hintFor(index);
    if (stop.stopped) {
      return "stopped";
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
        concurrentSiblings,
        ...(createdEarlier === undefined ? {} : { addressesCreatedEarlier: createdEarlier }),
        ...(newAddressHint === undefined ? {} : { newAddressHint }),
      },
      options,
    );
    if (outcome === null) {
      return "stopped";
    }
    if (outcome.kind === "needsOrder") {
      return "needsOrder";
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
        // not needed again: at 1M users the lists hold ~160k addresses in all
        addressLists?.delete(index);
        return "committed";
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

  try {
    let index = 0;
    // room first, then the next chunk: a chunk read only to wait would be one more in memory
    for (;;) {
      await chunkWindow.room();
      const next = await chunks.next();
      if (next.done === true) {
        break;
      }
      const item = next.value;
      await frontiers.waitFor(gates[index] ?? []);
      if (stop.stopped) {
        break;
      }
      await chunkWindow.submit(index, item, importOne);
      index += 1;
    }
    await chunkWindow.finish(importOne);
  } catch (error) {
    stop.stop();
    await chunkWindow.abandon();
    throw error;
  } finally {
    await chunks.return();
  }
}
