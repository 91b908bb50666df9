/**
 * Chooses the database adapter: server Postgres when a URL is given, else embedded PGlite
 * (in `dataDir`, or in memory when that is absent too). Callers choose the default directory;
 * the CLI uses `./.sentry-import/`.
 */
import type { Database } from "../ports.ts";
import { makePgDatabase } from "./pg/database.ts";
import { makePgliteDatabase } from "./pglite.ts";

export interface OpenDatabaseOptions {
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string | undefined;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== "") {
    return makePgDatabase(options.databaseUrl);
  }
  return makePgliteDatabase(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
}
