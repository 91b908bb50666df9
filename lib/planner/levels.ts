/**
 * Dependency levels (import-semantics.md §6.3, rule 1): runs of one level share no related model
 * and may be imported concurrently; a level finishes before the next starts. Levels come from
 * the file's run order, not the registry's, so that a run sees exactly the pk-map entries it
 * would see in Sentry's sequential file-order processing: a related run later in the file stays
 * invisible to it, as in Sentry.
 */
import type { ModelName } from "../registry/types.ts";

/**
 * Whether two models must not run concurrently (FK, relocation dependency or side effect,
 * §6.2). Treated as symmetric: either order counts.
 */
export type Related = (a: ModelName, b: ModelName) => boolean;

/**
 * `level[j] = 1 + max(level[i] for i < j related to j)`, or 0 when no earlier run is related.
 * Pass only the runs that take part (importable ones, in file order): unknown and out-of-scope
 * runs take part in nothing.
 */
export function dependencyLevels(models: readonly ModelName[], related: Related): number[] {
  const levels: number[] = [];
  models.forEach((model, j) => {
    let level = 0;
    for (let i = 0; i < j; i += 1) {
      const earlier = models[i];
      const earlierLevel = levels[i];
      if (earlier === undefined || earlierLevel === undefined) {
        continue;
      }
      if (earlierLevel + 1 > level && (related(earlier, model) || related(model, earlier))) {
        level = earlierLevel + 1;
      }
    }
    levels.push(level);
  });
  return levels;
}
