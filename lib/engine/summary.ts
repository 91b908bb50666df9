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

export function summarise(plan: Plan, results: readonly ChunkResult[]): ImportSummary {
  const models = plan.runs.map((run): ModelSummary => {
    let inserted = 0;
    let existing = 0;
    let overwritten = 0;
    for (const result of results) {
      if (result.model !== run.model) {
        continue;
      }
      for (const row of result.mappedPks) {
        if (row.kind === "Inserted") {
          inserted += 1;
        } else if (row.kind === "Existing") {
          existing += 1;
        } else {
          overwritten += 1;
        }
      }
    }
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
