/**
 * Test doubles for the planner: the §6.2 related pairs and a model classifier, written from
 * import-semantics.md rather than taken from lib/registry, so the planner is tested on its own.
 */
import type { ModelDisposition } from "../../../lib/planner/plan.ts";
import { toModelName } from "../../../lib/registry/types.ts";
import type { ModelName } from "../../../lib/registry/types.ts";

export const m = toModelName;

/** §6.1, the Config-scope subsequence of Sentry's sorted.json. */
export const REGISTRY_ORDER: readonly ModelName[] = [
  "sentry.controloption",
  "sentry.option",
  "sentry.relay",
  "sentry.relayusage",
  "sentry.user",
  "sentry.userpermission",
  "sentry.userrole",
  "sentry.userroleuser",
  "sentry.email",
  "sentry.useroption",
  "sentry.useremail",
  "sentry.apitoken",
  "sentry.apiauthorization",
].map(m);

/** §6.2, spelled without the `sentry.` prefix as the document does. */
const PAIRS = [
  ["userpermission", "user"],
  ["userroleuser", "user"],
  ["userroleuser", "userrole"],
  ["email", "user"],
  ["useroption", "user"],
  ["useremail", "user"],
  ["useremail", "email"],
  ["apitoken", "user"],
  ["apiauthorization", "user"],
] as const;

const PAIR_KEYS = new Set(PAIRS.map(([a, b]) => `sentry.${a}|sentry.${b}`));

/** Deliberately one-directional: the planner must treat the relation as symmetric itself. */
export function relatedDouble(a: ModelName, b: ModelName): boolean {
  return PAIR_KEYS.has(`${a}|${b}`);
}

const IMPORTABLE = new Set<string>(REGISTRY_ORDER);
const REMOVED = new Set(["sentry.actor"]);
/** §5: models unknown to the registry (another Django app, or gone from Sentry's graph). */
const UNKNOWN = new Set([
  "sites.site",
  "sentry.alertruleexcludedprojects",
  "sentry.incidentsubscription",
  "sentry.alertruletriggerexclusion",
]);

/** A Config-scope classifier: the 13 models import, everything else Sentry knows is out of scope. */
export function classifyDouble(model: ModelName): ModelDisposition {
  if (IMPORTABLE.has(model)) {
    return "import";
  }
  if (REMOVED.has(model)) {
    return "removed";
  }
  return UNKNOWN.has(model) ? "unknown" : "outOfScope";
}

/** The model names of a file: `rows("sentry.user", 3)` and friends, concatenated. */
export function rows(...groups: readonly (readonly [string, number])[]): string[] {
  return groups.flatMap(([model, count]) => Array.from({ length: count }, () => model));
}
