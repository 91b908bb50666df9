/** What every per-model writer receives and returns (import-semantics.md §7 steps 7–8). */
import type { ResolvedValue, ResolvedRow } from "../export/row.ts";
import type { ImportUuid } from "../ledger/key.ts";
import type { RecordedRow } from "../ledger/result.ts";
import type { ImportKind } from "../pkmap.ts";
import type { Db } from "../ports.ts";
import type { ImportScope } from "../registry/types.ts";
import type { PasswordMode } from "../secrets.ts";

export interface ImportFlags {
  /** reuse an existing user with the same username (case-insensitively) as Existing */
  readonly mergeUsers: boolean;
  /** overwrite colliding config rows (Overwrite) instead of keeping them (Existing) */
  readonly overwriteConfigs: boolean;
  /** the replacement password of inserted unclaimed users (decision e) */
  readonly passwordMode: PasswordMode;
}

/**
 * What the plan pass knows of the addresses a user chunk's side effect creates in `sentry_email`:
 * every ASCII address of the chunk's users is new to the file's rows except those listed here,
 * so it can go in with a plain INSERT (`ensureEmails`). Only a database that held the address
 * before the import makes that INSERT fail, and then the chunk takes the careful way.
 */
export interface NewAddressHint {
  /** `foldedHash` of the addresses another row may create first, ascending */
  readonly mayExist: Float64Array;
  /** chunks whose plain INSERT met an existing address: the caller stops hinting after a few */
  readonly misses: { count: number };
}

export interface WriteContext {
  /** the chunk's transaction */
  readonly db: Db;
  readonly importUuid: ImportUuid;
  readonly scope: ImportScope;
  readonly flags: ImportFlags;
  /** the import's "now", as an ISO string */
  readonly now: string;
  /** other chunks of the run may be in flight: see `ChunkRequest.concurrentSiblings` */
  readonly concurrentSiblings?: boolean;
  /** see `ChunkRequest.addressesCreatedEarlier` */
  readonly addressesCreatedEarlier?: ReadonlySet<string>;
  /** see `ChunkRequest.newAddressHint` */
  readonly newAddressHint?: NewAddressHint;
}

/** A row past the gates: its FK fields hold NEW pks, and `fkKinds` their pk-map kinds. */
export interface WritableRow {
  readonly row: ResolvedRow;
  readonly values: Readonly<Record<string, ResolvedValue>>;
  readonly fkKinds: Readonly<Record<string, ImportKind>>;
}

/** Writes one chunk's rows of one model, in file order; skipped rows are simply not recorded. */
export type ModelWriter = (
  ctx: WriteContext,
  rows: readonly WritableRow[],
) => Promise<readonly RecordedRow[]>;
