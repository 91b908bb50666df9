/**
 * Runs: maximal sequences of consecutive rows of one (lower-cased) model, in file order.
 *
 * Decision c (import-semantics.md §1, §12.4): ordinals restart at 1 for every run, so a second
 * run of a model would reuse the first run's ledger keys and be dropped as a "completed retry".
 * A file with one model in two separate runs is therefore rejected before anything is written,
 * whatever the model, in scope or not.
 */
import { ImportFailure } from "../errors.ts";
import { toModelName } from "../registry/types.ts";
import type { ModelName } from "../registry/types.ts";

/** A run of rows; positions are 1-based indexes into the export array. */
export interface Run {
  readonly model: ModelName;
  readonly firstPosition: number;
  readonly lastPosition: number;
  readonly rowCount: number;
}

interface OpenRun {
  readonly model: ModelName;
  readonly firstPosition: number;
  lastPosition: number;
}

/**
 * Fed one row at a time, so a streaming reader can find the runs without holding rows. Every
 * row of the file must be pushed, in order, starting at position 1: runs are about adjacency,
 * and a row left out would merge the runs around it.
 */
export class RunDetector {
  readonly #runs: Run[] = [];
  #open: OpenRun | null = null;
  #nextPosition = 1;
  #finished = false;

  /** Adds the row at `position`; returns the run it closed, if its model differs. */
  push(position: number, model: string): Run | null {
    if (this.#finished) {
      throw new Error("RunDetector.push after finish");
    }
    if (position !== this.#nextPosition) {
      throw new RangeError(`expected the row at position ${this.#nextPosition}, got ${position}`);
    }
    this.#nextPosition += 1;
    const name = toModelName(model);
    if (this.#open?.model === name) {
      this.#open.lastPosition = position;
      return null;
    }
    const closed = this.#close();
    this.#open = { model: name, firstPosition: position, lastPosition: position };
    return closed;
  }

  /** Rows pushed so far. */
  get rowCount(): number {
    return this.#nextPosition - 1;
  }

  /**
   * Closes the last run and returns all runs in file order.
   * @throws ImportFailure `NonContiguousModelRun` when a model has more than one run
   */
  finish(): readonly Run[] {
    if (!this.#finished) {
      this.#close();
      this.#finished = true;
    }
    assertContiguousModels(this.#runs);
    return this.#runs;
  }

  #close(): Run | null {
    const open = this.#open;
    if (open === null) {
      return null;
    }
    const run: Run = {
      model: open.model,
      firstPosition: open.firstPosition,
      lastPosition: open.lastPosition,
      rowCount: open.lastPosition - open.firstPosition + 1,
    };
    this.#runs.push(run);
    this.#open = null;
    return run;
  }
}

/** The runs of a whole file given its rows' model names in order. */
export function detectRuns(models: Iterable<string>): readonly Run[] {
  const detector = new RunDetector();
  let position = 0;
  for (const model of models) {
    position += 1;
    detector.push(position, model);
  }
  return detector.finish();
}

/** Runs grouped by model, for the models that have more than one, in order of first appearance. */
export function splitModels(runs: readonly Run[]): ReadonlyMap<ModelName, readonly Run[]> {
  const byModel = new Map<ModelName, Run[]>();
  for (const run of runs) {
    const list = byModel.get(run.model);
    if (list === undefined) {
      byModel.set(run.model, [run]);
    } else {
      list.push(run);
    }
  }
  return new Map([...byModel].filter(([, list]) => list.length > 1));
}

/** `rows 1–2 and 7–7`, `rows 1–2, 5–5 and 7–7`: the positions of each run, inclusive. */
export function describeRunPositions(runs: readonly Run[]): string {
  const spans = runs.map((run) => `${run.firstPosition}–${run.lastPosition}`);
  const last = spans.pop() ?? "";
  return spans.length === 0 ? `rows ${last}` : `rows ${spans.join(", ")} and ${last}`;
}

/**
 * @throws ImportFailure `NonContiguousModelRun`, whose reason names every split model and each of
 * its runs, e.g. `sentry.option: rows 1–2 and 7–7`; `on` points at the first split model's
 * second run
 */
export function assertContiguousModels(runs: readonly Run[]): void {
  const split = splitModels(runs);
  const first = split.entries().next().value;
  if (first === undefined) {
    return;
  }
  const [model, modelRuns] = first;
  const reason = [...split]
    .map(([name, list]) => `${name}: ${describeRunPositions(list)}`)
    .join("; ");
  throw new ImportFailure("NonContiguousModelRun", reason, {
    on: { model, ordinal: null, position: modelRuns[1]?.firstPosition ?? null },
    context: {
      runs: [...split].map(([name, list]) => ({
        model: name,
        positions: list.map((run) => [run.firstPosition, run.lastPosition]),
      })),
    },
  });
}
