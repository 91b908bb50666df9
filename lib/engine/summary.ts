/** The per-model summary printed at the end of an import: inserted, existing, overwritten, skipped. */
import type { ChunkResult } from "../ledger/result.ts";
import type { Plan } from "../planner/plan.ts";
import type { ModelName } from "../registry/types.ts";

export interface ModelSummary {
  readonly model: ModelName;
  /** rows of the model in the file */
  readonly rows: number;
  readonly inserted: number;
  readonly existing: number;
  readonly overwritten: number;
  /** rows passed over: filtered, unresolved references, merged users' rows, duplicates… */
  readonly skipped: number;
}

export interface ImportSummary {
  readonly models: readonly ModelSummary[];
  /** models passed over entirely, with their row counts and why */
  readonly skippedModels: readonly {
    readonly model: ModelName;
    readonly rows: number;
    readonly reason: string;
  }[];
}

/** Rows recorded per kind, for one model. */
export interface KindCounts {
  inserted: number;
  existing: number;
  overwritten: number;
}

/**
 * Per-model counts of recorded rows, added up chunk by chunk as results arrive, so an import
 * never holds its results (at a million users they are millions of pk-map entries).
 */
export class SummaryCounts {
  readonly #byModel = new Map<ModelName, KindCounts>();

  add(result: ChunkResult): void {
    const counts = this.#byModel.get(result.model) ?? { inserted: 0, existing: 0, overwritten: 0 };
    for (const row of result.mappedPks) {
      if (row.kind === "Inserted") {
        counts.inserted += 1;
      } else if (row.kind === "Existing") {
        counts.existing += 1;
      } else {
        counts.overwritten += 1;
      }
    }
    this.#byModel.set(result.model, counts);
  }

  of(model: ModelName): Readonly<KindCounts> {
    return this.#byModel.get(model) ?? { inserted: 0, existing: 0, overwritten: 0 };
  }
}

export function summarise(
  plan: Plan,
  results: Iterable<ChunkResult> | SummaryCounts,
): ImportSummary {
  let counts: SummaryCounts;
  if (results instanceof SummaryCounts) {
    counts = results;
  } else {
    counts = new SummaryCounts();
    for (const result of results) {
      counts.add(result);
    }
  }
  const models = plan.runs.map((run): ModelSummary => {
    const { inserted, existing, overwritten } = counts.of(run.model);
    return {
      model: run.model,
      rows: run.rowCount,
      inserted,
      existing,
      overwritten,
      skipped: run.rowCount - inserted - existing - overwritten,
    };
  });
  return {
    models,
    skippedModels: plan.skipped.map((s) => ({
      model: s.model,
      rows: s.rowCount,
      reason: s.reason,
    })),
  };
}
