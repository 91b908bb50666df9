/**
 * Model names and the order the generator writes them in.
 *
 * The product's registry lives in `lib/registry/`; this list is deliberately a separate copy so the
 * generator stays an independent oracle (import-semantics.md §6.1 and model_dependencies/sorted.json).
 */

/** The 13 Config-scope models in registry order (import-semantics.md §6.1). */
export const CONFIG_MODELS = [
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
] as const;

export type ConfigModel = (typeof CONFIG_MODELS)[number];

/** Rows a Config import must pass over (import-semantics.md §5). */
export const OUT_OF_SCOPE_MODELS = [
  "sites.site",
  "sentry.organization",
  "sentry.project",
  "sentry.authenticator",
  "sentry.apiapplication",
] as const;

export type OutOfScopeModel = (typeof OUT_OF_SCOPE_MODELS)[number];

export type SyntheticModel = ConfigModel | OutOfScopeModel;

/**
 * Every model the generator can write, in file order: Sentry's sorted dependency order, with the
 * unknown `sites.site` first as in `datetime-with-zeroed-millis.json`. The comments give the
 * 1-based position in `sorted.json`.
 */
export const FILE_ORDER = [
  "sites.site", // unknown to the registry
  "sentry.controloption", // 10
  "sentry.option", // 21
  "sentry.organization", // 22
  "sentry.relay", // 33
  "sentry.relayusage", // 34
  "sentry.user", // 42
  "sentry.userpermission", // 45
  "sentry.userrole", // 46
  "sentry.userroleuser", // 47
  "sentry.project", // 61
  "sentry.email", // 84
  "sentry.authenticator", // 101
  "sentry.apiapplication", // 105
  "sentry.useroption", // 121
  "sentry.useremail", // 122
  "sentry.apitoken", // 201
  "sentry.apiauthorization", // 203
] as const satisfies readonly SyntheticModel[];

/** The tables a Config import writes, including the side-effect table (import-semantics.md §4.1). */
export const CONFIG_TABLES = [
  "auth_user",
  "sentry_email",
  "sentry_useremail",
  "sentry_useroption",
  "sentry_userpermission",
  "sentry_userrole",
  "sentry_userrole_users",
  "sentry_option",
  "sentry_controloption",
  "sentry_relay",
  "sentry_relayusage",
  "sentry_apitoken",
  "sentry_apiauthorization",
  "sentry_lostpasswordhash",
] as const;

export type ConfigTable = (typeof CONFIG_TABLES)[number];
