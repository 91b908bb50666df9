/**
 * Chooses the database adapter: server Postgres when a URL is given, else embedded PGlite
 * (in `dataDir`, or in memory when that is absent too). Callers choose the default directory;
 * the CLI uses `./.sentry-import/`.
 */
import type { Database } from "../ports.ts";
import { makePgDatabase } from "./pg/database.ts";

export interface OpenDatabaseOptions {
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string | undefined;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== "") {
    return makePgDatabase(options.databaseUrl);
  }
  // loaded only when used: PGlite's WebAssembly Postgres adds ~40 MB to the process's RSS,
  // which an import into server Postgres (the bench, the chunk function) should not carry
  const { makePgliteDatabase } = await import("./pglite.ts");
  return makePgliteDatabase(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
}
