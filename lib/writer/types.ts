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
