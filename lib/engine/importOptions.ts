/** The options of one import, shared by the CLI and the serverless path. */
import type { ImportScope } from "../registry/types.ts";
import type { ImportFlags } from "../writer/types.ts";

export interface ImportSettings {
  readonly scope: Extract<ImportScope, "Config" | "User">;
  readonly chunkSize: number;
  readonly flags: ImportFlags;
  /** `--filter-usernames`: null imports every user */
  readonly usernameFilter: readonly string[] | null;
}
