/** `sentry.controloption` and `sentry.option`: identical shape, different silo (§3.2). */
import { datetime, generated, optionValue, value, varchar } from "../fields.ts";
import { defineModel } from "../model.ts";
import { CONTROL_OPTION, OPTION } from "../names.ts";
import type { FieldSpec, ModelName, ModelSpec, Silo } from "../types.ts";

const OPTION_FIELDS: readonly FieldSpec[] = [
  varchar("key", 128),
  datetime("last_updated", { default: generated("now") }),
  // options' `UpdateChannel` choice; Sentry's model default
  varchar("last_updated_by", 16, { default: value("unknown") }),
  optionValue("value"),
];

function buildOptionModel(
  name: ModelName,
  table: string,
  silo: Silo,
  registryPosition: number,
  registryOrder: number,
): ModelSpec {
  return defineModel({
    name,
    table,
    silo,
    relocationScopes: ["Config"],
    registryPosition,
    registryOrder,
    customOrdinal: { keys: ["key"] },
    uniques: [{ keys: ["key"] }],
    collisionKey: ["key"],
    relocationDependencies: [],
    fields: OPTION_FIELDS,
  });
}

export const controlOptionModel = buildOptionModel(
  CONTROL_OPTION,
  "sentry_controloption",
  "Control",
  10,
  1,
);
export const optionModel = buildOptionModel(OPTION, "sentry_option", "Region", 21, 2);
