/**
 * The planner wired to the model registry. The planner itself takes `classify` and `related` as
 * parameters so it can be tested against small doubles; this is the production wiring.
 */
import type { ImportUuid } from "../ledger/key.ts";
import { areRelated, getModel } from "../registry/registry.ts";
import { OTHER_SENTRY_MODELS } from "../registry/otherModels.ts";
import { isDeletedModel } from "../registry/removed.ts";
import { modelInScope } from "../registry/scopes.ts";
import type { ImportScope, ModelName } from "../registry/types.ts";
import { buildPlan } from "./plan.ts";
import type { ModelDisposition, Plan } from "./plan.ts";
import type { Run } from "./runs.ts";

/**
 * Registry models go by the coarse scope gate (§7 step 2); the other Sentry models of §5
 * (Organization, Global, Excluded) are out of scope; anything else is `unknown` (another Django
 * app, a newer model). All are skipped without error.
 */
export function registryDisposition(scope: ImportScope): (model: ModelName) => ModelDisposition {
  return (model) => {
    const spec = getModel(model);
    if (spec !== undefined) {
      return modelInScope(spec, scope) ? "import" : "outOfScope";
    }
    if (isDeletedModel(model)) {
      return "removed";
    }
    return OTHER_SENTRY_MODELS.has(model) ? "outOfScope" : "unknown";
  };
}

/** @throws ImportFailure `NonContiguousModelRun` (decision c) */
export function planWithRegistry(input: {
  readonly importUuid: ImportUuid;
  readonly scope: ImportScope;
  readonly chunkSize: number;
  readonly runs: readonly Run[];
}): Plan {
  return buildPlan({
    ...input,
    classify: registryDisposition(input.scope),
    related: areRelated,
  });
}
