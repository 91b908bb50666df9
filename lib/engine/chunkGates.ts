/**
 * When a chunk of the CLI's import may start (import-semantics.md §6.3). Levels keep the result
 * equal to Sentry's file-order processing by finishing every related earlier run before a run
 * starts. For a run that is related to an earlier one only through FKs into it, less is enough:
 * a chunk's rows see the pk-map entries of exactly the rows they reference, so the chunk needs
 * only the earlier run's chunks that hold those pks. The users' useroptions then follow the
 * user run chunk by chunk instead of waiting for the last user.
 *
 * The side effects that such pairs share commute: a user's chunk and a useremail chunk may both
 * get-or-create the same `sentry_email` address, and either way one row with the import's `now`
 * results (only its id depends on which came first). Where the two spell the address
 * differently, the user's spelling must win, as in file order: the user-email chunk leaves such
 * an address to the user (`userEmailAddresses.ts`), or, with `--merge-users`, waits for that
 * user's chunk (`require`). Relations that are not FKs (the email run and the user side effect,
 * useremail and the email run) still wait for the whole earlier run.
 */
import { NaturalKey } from "../export/row.ts";
import type { FieldValue } from "../export/row.ts";
import type { Plan, PlannedRun } from "../planner/plan.ts";
import { areRelated, getModel } from "../registry/registry.ts";
import type { ModelName, ModelSpec } from "../registry/types.ts";
import { countAtMost } from "../sortedNumbers.ts";

/** A chunk may start once the first `chunks` chunks of `model`'s run have committed. */
export interface ChunkGate {
  readonly model: ModelName;
  readonly chunks: number;
}

/** Per run, per chunk (in ordinal order): the gates that chunk waits for; none = start at once. */
export type ImportGates = ReadonlyMap<ModelName, readonly (readonly ChunkGate[])[]>;

interface RunPks {
  /** the pk of each chunk's first row */
  readonly firstPks: number[];
  ascending: boolean;
  last: number;
}

/**
 * Collected by the plan pass, row by row: where each run's chunks start in pk terms, and the
 * largest pk each chunk references per target model.
 */
export class ReferenceBounds {
  readonly #chunkSize: number;
  readonly #pks = new Map<ModelName, RunPks>();
  /** referencing model → target model → largest referenced pk per chunk; null: not all pks */
  readonly #referenced = new Map<ModelName, Map<ModelName, number[] | null>>();
  /** waiting model → target model → chunks of the target each chunk needs besides its FKs */
  readonly #required = new Map<ModelName, Map<ModelName, number[]>>();

  constructor(chunkSize: number) {
    this.#chunkSize = chunkSize;
  }

  /** Every row of an importable run, in file order; `ordinal` is its 1-based place in the run. */
  add(
    spec: ModelSpec,
    ordinal: number,
    pk: number,
    values: Readonly<Record<string, FieldValue>>,
  ): void {
    const chunk = Math.floor((ordinal - 1) / this.#chunkSize);
    let run = this.#pks.get(spec.name);
    if (run === undefined) {
      run = { firstPks: [], ascending: true, last: -Infinity };
      this.#pks.set(spec.name, run);
    }
    run.ascending &&= pk > run.last;
    run.last = pk;
    if ((ordinal - 1) % this.#chunkSize === 0) {
      run.firstPks.push(pk);
    }
    for (const fk of spec.foreignKeys) {
      const value = values[fk.key];
      if (typeof value === "number") {
        const bounds = this.#bounds(spec.name, fk.target);
        if (bounds !== null && !(value <= (bounds[chunk] ?? -Infinity))) {
          bounds[chunk] = value;
        }
      } else if (value instanceof NaturalKey) {
        // resolved to a pk only when the run is read: no bound is known in advance
        this.#referencing(spec.name).set(fk.target, null);
      }
    }
  }

  /**
   * The chunk of `model`'s run holding row `ordinal` also needs the first `chunks` chunks of
   * `target`'s run (Infinity: all of them), for a reason other than its FKs.
   */
  require(model: ModelName, ordinal: number, target: ModelName, chunks: number): void {
    const chunk = Math.floor((ordinal - 1) / this.#chunkSize);
    let targets = this.#required.get(model);
    if (targets === undefined) {
      targets = new Map();
      this.#required.set(model, targets);
    }
    let needs = targets.get(target);
    if (needs === undefined) {
      needs = [];
      targets.set(target, needs);
    }
    needs[chunk] = Math.max(needs[chunk] ?? 0, chunks);
  }

  /** The gates of every chunk of the plan's runs. */
  gates(plan: Plan): ImportGates {
    const gates = new Map<ModelName, (readonly ChunkGate[])[]>();
    plan.runs.forEach((run, j) => {
      const earlier = plan.runs.slice(0, j).filter((d) => areRelated(d.model, run.model));
      gates.set(
        run.model,
        run.chunks.map((_, k) =>
          earlier
            .map((d) => ({
              model: d.model,
              chunks: Math.min(
                d.chunks.length,
                Math.max(
                  this.#needed(run, d, k),
                  this.#required.get(run.model)?.get(d.model)?.[k] ?? 0,
                ),
              ),
            }))
            .filter((gate) => gate.chunks > 0),
        ),
      );
    });
    return gates;
  }

  /** How many chunks of the earlier related run `d` chunk `k` of `run` needs. */
  #needed(run: PlannedRun, d: PlannedRun, k: number): number {
    const viaForeignKeys =
      getModel(run.model)?.foreignKeys.some((fk) => fk.target === d.model) ?? false;
    const pks = this.#pks.get(d.model);
    const bounds = this.#referenced.get(run.model)?.get(d.model);
    if (!viaForeignKeys || bounds === null || pks?.ascending !== true) {
      return d.chunks.length;
    }
    const largest = bounds?.[k];
    return largest === undefined ? 0 : countAtMost(pks.firstPks, largest);
  }

  #referencing(model: ModelName): Map<ModelName, number[] | null> {
    let targets = this.#referenced.get(model);
    if (targets === undefined) {
      targets = new Map();
      this.#referenced.set(model, targets);
    }
    return targets;
  }

  #bounds(model: ModelName, target: ModelName): number[] | null {
    const targets = this.#referencing(model);
    let bounds = targets.get(target);
    if (bounds === undefined) {
      bounds = [];
      targets.set(target, bounds);
    }
    return bounds;
  }
}
