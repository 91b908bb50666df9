/** The model registry: the single source of model, table and column names. */
export * from "./types.ts";
export * from "./names.ts";
export * from "./registry.ts";
export * from "./scopes.ts";
export * from "./tables.ts";
export * from "./removed.ts";
export { OTHER_SENTRY_MODELS } from "./otherModels.ts";
export { MAX_USERNAME_LENGTH, MAX_USER_NAME_LENGTH } from "./models/user.ts";
export { MAX_USER_ROLE_NAME_LENGTH } from "./models/roles.ts";
export { fkColumn } from "./fields.ts";
