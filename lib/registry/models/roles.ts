/** Admin privileges: `sentry.userpermission`, `sentry.userrole`, `sentry.userroleuser` (§3.2). */
import { datetime, fk, generated, textArray, value, varchar } from "../fields.ts";
import { defineModel } from "../model.ts";
import { USER, USER_PERMISSION, USER_ROLE, USER_ROLE_USER } from "../names.ts";

/** Sentry's `MAX_USER_ROLE_NAME_LENGTH`. */
export const MAX_USER_ROLE_NAME_LENGTH = 32;

export const userPermissionModel = defineModel({
  name: USER_PERMISSION,
  table: "sentry_userpermission",
  silo: "Control",
  relocationScopes: ["Config"],
  registryPosition: 45,
  registryOrder: 6,
  customOrdinal: { keys: ["user", "permission"] },
  uniques: [{ keys: ["permission", "user"] }],
  // its only unique set contains the `user` FK, so there is no FK-free key (§9.4)
  collisionKey: null,
  relocationDependencies: [],
  fields: [fk("user", USER, { nullable: false }), varchar("permission", 32)],
});

export const userRoleModel = defineModel({
  name: USER_ROLE,
  table: "sentry_userrole",
  silo: "Control",
  relocationScopes: ["Config"],
  registryPosition: 46,
  registryOrder: 7,
  customOrdinal: { keys: ["name"] },
  uniques: [{ keys: ["name"] }],
  collisionKey: ["name"],
  relocationDependencies: [],
  fields: [
    datetime("date_updated", { default: generated("now") }),
    datetime("date_added", { nullable: true, default: generated("now") }),
    varchar("name", MAX_USER_ROLE_NAME_LENGTH),
    textArray("permissions", { default: value([]) }),
  ],
});

export const userRoleUserModel = defineModel({
  name: USER_ROLE_USER,
  table: "sentry_userrole_users",
  silo: "Control",
  relocationScopes: ["Config"],
  registryPosition: 47,
  registryOrder: 8,
  customOrdinal: null,
  uniques: [],
  // decision g: an assignment that already exists is recorded as Existing
  applicationUniques: [{ keys: ["user", "role"] }],
  collisionKey: null,
  relocationDependencies: [],
  fields: [
    datetime("date_updated", { default: generated("now") }),
    datetime("date_added", { nullable: true, default: generated("now") }),
    fk("user", USER, { nullable: false }),
    fk("role", USER_ROLE, { nullable: false }),
  ],
});
