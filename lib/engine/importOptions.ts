/** The options of one import, shared by the CLI and the serverless path. */
import type { ImportScope } from "../registry/types.ts";
import type { ImportFlags } from "../writer/types.ts";

/**
 * Runs imported at once into server Postgres by default. Six lets every run of a Config export
 * follow the user run as its chunks commit, so no run waits for a free worker after it (at 3,
 * the API tokens started when the user run ended: 16 s of a 172 s import of 1M users).
 */
export const DEFAULT_POSTGRES_CONCURRENCY = 6;

export interface ImportSettings {
  readonly scope: Extract<ImportScope, "Config" | "User">;
  readonly chunkSize: number;
  readonly flags: ImportFlags;
  /** `--filter-usernames`: null imports every user */
  readonly usernameFilter: readonly string[] | null;
}
