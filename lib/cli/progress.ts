/** A progress bar on a terminal (stderr), silent otherwise, fed by the engine's progress events. */
import { SingleBar } from "cli-progress";
import type { ImportProgress } from "../engine/runImport.ts";

export interface ProgressReporter {
  readonly onProgress: (event: ImportProgress) => void;
  stop(): void;
}

export function makeProgressReporter(enabled: boolean): ProgressReporter {
  if (!enabled) {
    return { onProgress: () => undefined, stop: () => undefined };
  }
  const bar = new SingleBar({
    format: "importing [{bar}] {percentage}% | {value}/{total} rows | {model}",
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    onProgress(event) {
      switch (event.kind) {
        case "planned": {
          const total = event.plan.runs.reduce((n, run) => n + run.rowCount, 0);
          bar.start(total, 0, { model: "" });
          started = true;
          break;
        }
        case "level":
          break;
        case "chunk":
          bar.increment(event.rows, { model: event.model });
          break;
      }
    },
    stop() {
      if (started) {
        bar.stop();
      }
    },
  };
}
