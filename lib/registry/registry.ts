/**
 * The 13 models of a Config import (§3), in registry order (§6.1), and lookups over them.
 */
import { controlOptionModel, optionModel } from "./models/options.ts";
import { relayModel, relayUsageModel } from "./models/relays.ts";
import { userPermissionModel, userRoleModel, userRoleUserModel } from "./models/roles.ts";
import { userModel } from "./models/user.ts";
import { emailModel, userEmailModel } from "./models/emails.ts";
import { userOptionModel } from "./models/useroption.ts";
import { apiAuthorizationModel, apiTokenModel } from "./models/tokens.ts";
import { USER } from "./names.ts";
import { toModelName } from "./types.ts";
import type { ColumnSpec, FieldSpec, ModelName, ModelSpec, TableSpec } from "./types.ts";

/** Registry order: the order Sentry's exporter writes them (§6.1). */
export const CONFIG_MODELS: readonly ModelSpec[] = [
  controlOptionModel,
  optionModel,
  relayModel,
  relayUsageModel,
  userModel,
  userPermissionModel,
  userRoleModel,
  userRoleUserModel,
  emailModel,
  userOptionModel,
  userEmailModel,
  apiTokenModel,
  apiAuthorizationModel,
];

const BY_NAME: ReadonlyMap<ModelName, ModelSpec> = new Map(CONFIG_MODELS.map((m) => [m.name, m]));

/** The registry entry for a model name (compared lower-cased), or undefined if unknown. */
export function getModel(name: string): ModelSpec | undefined {
  return BY_NAME.get(toModelName(name));
}

/** Like `getModel`, for names that must be known (a programming error otherwise). */
export function requireModel(name: string): ModelSpec {
  const model = getModel(name);
  if (model === undefined) {
    throw new Error(`not a registry model: ${name}`);
  }
  return model;
}

export function getField(model: ModelSpec, key: string): FieldSpec | undefined {
  return model.fields.find((f) => f.key === key);
}

/** The column of a field, for writers; throws on a key the model does not have. */
export function columnOf(model: ModelSpec, key: string): string {
  const field = getField(model, key);
  if (field === undefined) {
    throw new Error(`${model.name} has no field ${key}`);
  }
  return field.column;
}

/**
 * Sentry's "dependencies for relocation" (§6.1): FK targets plus relocation dependencies. Only
 * these models' pk-map entries are visible to the model's importer (§11.2).
 */
export function relocationDependenciesOf(model: ModelSpec): readonly ModelName[] {
  const deps = new Set<ModelName>(model.foreignKeys.map((f) => f.target));
  for (const d of model.relocationDependencies) {
    deps.add(d);
  }
  return [...deps];
}

const FOREIGN_KEY_TARGETS: ReadonlySet<ModelName> = new Set(
  CONFIG_MODELS.flatMap((m) => m.foreignKeys.map((f) => f.target)),
);

/**
 * Whether some model's FK points at `model`, i.e. whether FK rewriting ever looks its pk-map
 * entries up (§11.3): `sentry.user` and `sentry.userrole`. Ordering-only dependencies (§6.1)
 * never read the map.
 */
export function isForeignKeyTarget(model: ModelName): boolean {
  return FOREIGN_KEY_TARGETS.has(model);
}

/**
 * Side effects that link models beyond their FKs (§6.2): inserting a user writes user emails
 * and emails, inserting a user email writes emails.
 */
const SIDE_EFFECT_LINKS: readonly (readonly [string, string])[] = [
  ["sentry.user", "sentry.useremail"],
  ["sentry.user", "sentry.email"],
  ["sentry.useremail", "sentry.email"],
];

function pairKey(a: ModelName, b: ModelName): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

const RELATED: ReadonlySet<string> = (() => {
  const known = new Set<ModelName>(CONFIG_MODELS.map((m) => m.name));
  const pairs = new Set<string>();
  for (const m of CONFIG_MODELS) {
    // out-of-scope targets (organization, project, apiapplication) add no edges (§6.2)
    for (const d of relocationDependenciesOf(m)) {
      if (known.has(d) && d !== m.name) {
        pairs.add(pairKey(m.name, d));
      }
    }
  }
  for (const [a, b] of SIDE_EFFECT_LINKS) {
    pairs.add(pairKey(toModelName(a), toModelName(b)));
  }
  return pairs;
})();

/** Whether two models are related for scheduling (§6.2); symmetric, and false for a == b. */
export function areRelated(a: ModelName, b: ModelName): boolean {
  return a !== b && RELATED.has(pairKey(a, b));
}

/** All related pairs, each once, as `[a, b]` with a < b. */
export function relatedPairs(): readonly (readonly [ModelName, ModelName])[] {
  return [...RELATED].sort().map((k) => {
    const [a, b] = k.split("|") as [ModelName, ModelName];
    return [a, b] as const;
  });
}

/** The FK fields of a model that reference `sentry.user` (for natural keys, §8.4). */
export function userReferencesOf(model: ModelSpec): readonly FieldSpec[] {
  return model.fields.filter((f) => f.references?.target === USER);
}

/** A model's table as a column list (`id` first), for DDL and for checks against a schema. */
export function modelTable(model: ModelSpec): TableSpec {
  const columns: ColumnSpec[] = [
    {
      name: "id",
      pgType: "bigserial",
      maxLength: null,
      nullable: false,
      default: { kind: "none" },
    },
  ];
  for (const f of model.fields) {
    columns.push({
      name: f.column,
      pgType: f.pgType,
      maxLength: f.maxLength,
      nullable: f.nullable,
      default: f.default,
    });
  }
  const uniques = model.uniques
    .filter((u) => u.where === undefined)
    .map((u) => u.keys.map((k) => columnOf(model, k)));
  return { name: model.table, model: model.name, silo: model.silo, columns, uniques };
}
