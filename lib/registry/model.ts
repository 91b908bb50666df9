/** Turns a model's hand-written facts into a `ModelSpec`, deriving what follows from them. */
import { foreignKeysOf } from "./fields.ts";
import type { ModelSpec } from "./types.ts";

export type ModelFacts = Omit<
  ModelSpec,
  "foreignKeys" | "chunkTable" | "replicaTable" | "rowScope" | "applicationUniques"
> &
  Partial<Pick<ModelSpec, "rowScope" | "applicationUniques">>;

export function defineModel(facts: ModelFacts): ModelSpec {
  const control = facts.silo === "Control";
  const [onlyScope] = facts.relocationScopes;
  if (facts.rowScope === undefined && (facts.relocationScopes.length !== 1 || !onlyScope)) {
    throw new Error(`${facts.name}: a model with several scopes needs a rowScope rule`);
  }
  return {
    ...facts,
    rowScope: facts.rowScope ?? { kind: "fixed", scope: onlyScope ?? "Excluded" },
    applicationUniques: facts.applicationUniques ?? [],
    foreignKeys: foreignKeysOf(facts.fields),
    chunkTable: control ? "sentry_controlimportchunk" : "sentry_regionimportchunk",
    replicaTable: control ? "sentry_controlimportchunkreplica" : null,
  };
}
