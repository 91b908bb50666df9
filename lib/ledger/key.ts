/**
 * The ledger key `(import_uuid, model, min_ordinal)` and the chunk tables that hold it
 * (import-semantics.md §4.2, §12.2).
 */
import { z } from "zod";
import { modelNameSchema } from "../pkmap.ts";
import type { ChunkTableName, ModelName, Silo } from "../registry/types.ts";

const UUID_PATTERN = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Identifies every ledger row of one import. Sentry's CLI passes `uuid4().hex` (no dashes) and
 * Postgres returns the dashed form, so both are accepted and normalised to lower-case dashed:
 * the same import must compare equal however it was spelled.
 */
export const importUuidSchema = z
  .string()
  .regex(UUID_PATTERN, "an import uuid is 32 hex digits, optionally dashed")
  .transform((raw) => {
    const hex = raw.replaceAll("-", "").toLowerCase();
    const dashed = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return dashed as ImportUuid;
  });
export type ImportUuid = string & { readonly __brand: "ImportUuid" };

export function importUuid(raw: string): ImportUuid {
  return importUuidSchema.parse(raw);
}

/** Ordinals are 1-based (Sentry rejects `min_ordinal < 1` with `InvalidMinOrdinal`). */
export const ordinalSchema = z.int().positive();

export const ledgerKeySchema = z.strictObject({
  importUuid: importUuidSchema,
  model: modelNameSchema,
  minOrdinal: ordinalSchema,
}) satisfies z.ZodType<LedgerKey>;

/** Unique in every chunk table; also what a chunk task is named after. */
export interface LedgerKey {
  readonly importUuid: ImportUuid;
  readonly model: ModelName;
  readonly minOrdinal: number;
}

export interface LedgerTables {
  /** Where the ledger row is written, and where a retry looks for it. */
  readonly primary: ChunkTableName;
  /**
   * Control chunks also get an identical replica row (Sentry writes it from the region side
   * after the chunk succeeded). It is written only if no replica with the same key exists, so
   * a retry that finds the primary row must not fail on the replica either.
   */
  readonly replica: ChunkTableName | null;
}

/** The silo decides the chunk table; with one database both control tables are written. */
export function ledgerTablesFor(silo: Silo): LedgerTables {
  switch (silo) {
    case "Region":
      return { primary: "sentry_regionimportchunk", replica: null };
    case "Control":
      return { primary: "sentry_controlimportchunk", replica: "sentry_controlimportchunkreplica" };
  }
}
