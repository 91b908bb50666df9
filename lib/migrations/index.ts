/** The database schema: Sentry's tables for a Config import, and sentry-import's own. */
export { MIGRATIONS } from "./list.ts";
export { migrate } from "./migrate.ts";
export type { MigrateResult } from "./migrate.ts";
export type { Migration, MigrationStep } from "./types.ts";
