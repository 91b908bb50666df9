/**
 * What the chunk importer is asked to do. The CLI builds it from the stream; the serverless
 * path from a Cloud Tasks body and a staged payload. Either way the rows are the export's raw
 * rows, so the importer parses and validates them itself.
 */
import type { ExportRow } from "../export/envelope.ts";
import type { ImportScope, ModelName } from "../registry/types.ts";
import type { ImportFlags, NewAddressHint } from "../writer/types.ts";

export interface ChunkFilters {
  /** usernames a user row must have to be imported; null = no filter */
  readonly usernames: ReadonlySet<string> | null;
  /** the derived email filter (§14): emails of the file's users that pass the user filter */
  readonly emails: ReadonlySet<string> | null;
}

export const NO_FILTERS: ChunkFilters = { usernames: null, emails: null };

export interface ChunkRequest {
  /** as received: checked here (Sentry's `MissingImportUUID`) */
  readonly importUuid: string | null;
  readonly scope: ImportScope | null;
  readonly model: string;
  /** `offset + 1` of the chunk within its run */
  readonly minOrdinal: number;
  /** the chunk's rows in file order, natural keys already resolved to file pks */
  readonly rows: readonly ExportRow[];
  /** models whose runs precede this one in the file: only their pk-map entries are visible */
  readonly visibleModels: readonly ModelName[];
  readonly flags: ImportFlags;
  readonly filters: ChunkFilters;
  /** the import's "now" (ISO string) */
  readonly now: string;
  /**
   * The rows already passed `validateRow` when the import was planned (the CLI's plan pass
   * validates every in-scope row before anything is written), so they are only parsed here.
   * Absent or false: the importer validates them itself.
   */
  readonly validated?: boolean;
  /**
   * Other chunks of this run may be in flight at the same time (the CLI, for a user run that the
   * plan pass found free of collisions within the file). A row that would collide with a user
   * already in the database then ends the delivery as `needsOrder` instead of choosing a
   * suffixed username that an uncommitted sibling might also take.
   */
  readonly concurrentSiblings?: boolean;
  /**
   * Addresses whose `sentry_email` row this chunk leaves to the side effect of a user elsewhere
   * in the user run, so that the spelling file order gives the row wins whichever chunk commits
   * first: for a user chunk with `concurrentSiblings`, its users' addresses that a user of an
   * earlier chunk has too (`userRunIndependence.ts`); for a user-email chunk, the addresses a
   * user spells otherwise (`userEmailAddresses.ts`).
   */
  readonly addressesCreatedEarlier?: ReadonlySet<string>;
  /** for a user chunk: which of its users' addresses are new to the file's rows (the CLI) */
  readonly newAddressHint?: NewAddressHint;
}
