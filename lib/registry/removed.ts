/**
 * Input that older exports carry and that the importer drops silently (§8.5): Sentry's
 * `DELETED_MODELS` and `DELETED_FIELDS`. Unknown keys and unknown models are ignored anyway;
 * these lists exist so the report can say "removed" rather than "unknown".
 */
import type { ModelName } from "./types.ts";

export const DELETED_MODELS: ReadonlySet<ModelName> = new Set(["sentry.actor" as ModelName]);

export const DELETED_FIELDS: ReadonlyMap<ModelName, ReadonlySet<string>> = new Map([
  ["sentry.team" as ModelName, new Set(["actor", "org_role"])],
  ["sentry.rule" as ModelName, new Set(["owner"])],
  ["sentry.alertrule" as ModelName, new Set(["owner"])],
  ["sentry.grouphistory" as ModelName, new Set(["actor"])],
]);

/** Fields removed from models the registry does know (e.g. `is_suspended` on users). */
export const REMOVED_MODEL_FIELDS: ReadonlyMap<ModelName, ReadonlySet<string>> = new Map([
  ["sentry.user" as ModelName, new Set(["is_suspended"])],
]);

export function isDeletedModel(name: ModelName): boolean {
  return DELETED_MODELS.has(name);
}

export function isDeletedField(model: ModelName, key: string): boolean {
  return (
    DELETED_FIELDS.get(model)?.has(key) === true ||
    REMOVED_MODEL_FIELDS.get(model)?.has(key) === true
  );
}
