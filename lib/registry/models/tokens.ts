/**
 * `sentry.apitoken` and `sentry.apiauthorization` (§3.2, §9.8, §9.9). Their scope is decided per
 * row: Global when `application` is set, Config otherwise.
 */
import { bitfield, datetime, fk, generated, textArray, value, varchar } from "../fields.ts";
import { defineModel } from "../model.ts";
import { API_APPLICATION, API_AUTHORIZATION, API_TOKEN, ORGANIZATION, USER } from "../names.ts";
import type { RowScopeRule } from "../types.ts";

const BY_APPLICATION: RowScopeRule = {
  kind: "globalWhenSet",
  key: "application",
  whenSet: "Global",
  whenNull: "Config",
};

export const apiTokenModel = defineModel({
  name: API_TOKEN,
  table: "sentry_apitoken",
  silo: "Control",
  relocationScopes: ["Config", "Global"],
  rowScope: BY_APPLICATION,
  registryPosition: 201,
  registryOrder: 12,
  customOrdinal: null,
  uniques: [
    { keys: ["hashed_refresh_token"] },
    { keys: ["hashed_token"] },
    { keys: ["refresh_token"] },
    { keys: ["token"] },
  ],
  // several FK-free unique sets: not an overwritable config model (§9.8 re-mints instead)
  collisionKey: null,
  relocationDependencies: [],
  fields: [
    fk("application", API_APPLICATION, { nullable: true }),
    fk("user", USER, { nullable: false }),
    fk("scoping_organization_id", ORGANIZATION, { nullable: true, kind: "HybridCloud" }),
    varchar("name", 255, { nullable: true, default: value(null) }),
    varchar("token", 71, { default: generated("generatedToken") }),
    // recomputed on write from `token`
    varchar("hashed_token", 128, { nullable: true, default: value(null) }),
    varchar("token_type", 7, { nullable: true, default: value(null) }),
    // recomputed on write from `token`
    varchar("token_last_characters", 4, { nullable: true, default: value(null) }),
    varchar("refresh_token", 71, { nullable: true, default: generated("generatedToken") }),
    // recomputed on write from `refresh_token`
    varchar("hashed_refresh_token", 128, { nullable: true, default: value(null) }),
    datetime("expires_at", { nullable: true, default: generated("nowPlus30Days") }),
    datetime("date_added", { default: generated("now") }),
    bitfield("scopes", { default: value("0") }),
    textArray("scope_list", { default: value([]) }),
  ],
});

export const apiAuthorizationModel = defineModel({
  name: API_AUTHORIZATION,
  table: "sentry_apiauthorization",
  silo: "Control",
  relocationScopes: ["Config", "Global"],
  rowScope: BY_APPLICATION,
  registryPosition: 203,
  registryOrder: 13,
  customOrdinal: null,
  uniques: [
    // apiauthorization_user_app_org
    {
      keys: ["application", "organization_id", "user"],
      where: { notNullKeys: ["organization_id"] },
    },
    // apiauthorization_user_app
    { keys: ["application", "user"], where: { nullKeys: ["organization_id"] } },
  ],
  collisionKey: null,
  relocationDependencies: [],
  fields: [
    fk("application", API_APPLICATION, { nullable: true }),
    fk("user", USER, { nullable: false }),
    datetime("date_added", { default: generated("now") }),
    fk("organization_id", ORGANIZATION, { nullable: true, kind: "HybridCloud" }),
    bitfield("scopes", { default: value("0") }),
    textArray("scope_list", { default: value([]) }),
  ],
});
