/** Every migration, in order of application. Append new ones at the end (see `./types.ts`). */
import { sentryUserTables } from "./0001_sentry_user_tables.ts";
import { sentryConfigTables } from "./0002_sentry_config_tables.ts";
import { sentryImportChunkTables } from "./0003_sentry_import_chunk_tables.ts";
import { importRun } from "./0004_import_run.ts";
import { pkMap } from "./0005_pk_map.ts";
import { pipeline } from "./0006_pipeline.ts";
import type { Migration } from "./types.ts";

export const MIGRATIONS: readonly Migration[] = [
  sentryUserTables,
  sentryConfigTables,
  sentryImportChunkTables,
  importRun,
  pkMap,
  pipeline,
];
