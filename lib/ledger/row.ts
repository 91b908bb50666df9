/**
 * The ledger row of a chunk (import-semantics.md §4.2, §12.2), both ways: computed from a chunk's
 * result before it is written, and rebuilt into a result when a retry finds it (§12.3) or when
 * the serverless path rebuilds the pk map of earlier runs (§11.2).
 */
import { z } from "zod";
import { modelNameSchema, newPkSchema, oldPkSchema, oldPk, PrimaryKeyMap } from "../pkmap.ts";
import type { ImportKind, NewPk, OldPk } from "../pkmap.ts";
import type { ModelName } from "../registry/types.ts";
import { importUuidSchema, ordinalSchema } from "./key.ts";
import type { ImportUuid, LedgerKey } from "./key.ts";
import { canonicalMappedPks, chunkResultFromRecords, recordedCount } from "./result.ts";
import type { ChunkResult, RecordedRow } from "./result.ts";

/** `{"<old pk>": <new pk>}`: JSON object keys are strings. */
export type DbPkMapColumn = Readonly<Record<string, number>>;

/** A chunk-table row as written and read, minus `id` and the dates the database fills in. */
export interface DbImportChunk {
  readonly import_uuid: ImportUuid;
  readonly model: ModelName;
  readonly min_ordinal: number;
  readonly max_ordinal: number;
  readonly min_source_pk: OldPk;
  readonly max_source_pk: OldPk;
  readonly min_inserted_pk: NewPk | null;
  readonly max_inserted_pk: NewPk | null;
  readonly inserted_map: DbPkMapColumn;
  readonly existing_map: DbPkMapColumn;
  readonly overwrite_map: DbPkMapColumn;
  /** `{"<old pk>": "<slug>"}` for Inserted rows with a slug; always `{}` for the Config models. */
  readonly inserted_identifiers: Readonly<Record<string, string>>;
}

/** Column order for the writer's INSERT; the same in all three chunk tables. */
export const IMPORT_CHUNK_COLUMNS = [
  "import_uuid",
  "model",
  "min_ordinal",
  "max_ordinal",
  "min_source_pk",
  "max_source_pk",
  "min_inserted_pk",
  "max_inserted_pk",
  "inserted_map",
  "existing_map",
  "overwrite_map",
  "inserted_identifiers",
] as const satisfies readonly (keyof DbImportChunk)[];

/**
 * bigint columns arrive as strings from `pg` and as numbers or bigints from other drivers; ids
 * beyond 2^53 cannot be represented and are rejected rather than rounded.
 */
const bigintColumn = z
  .union([z.int(), z.bigint(), z.string().regex(/^-?\d+$/)])
  .transform((value, ctx) => {
    const number = Number(value);
    if (!Number.isSafeInteger(number)) {
      ctx.addIssue({ code: "custom", message: `${String(value)} is not a safe integer` });
      return z.NEVER;
    }
    return number;
  });

/** jsonb arrives parsed from `pg`, but as text when selected as `::text` or from some drivers. */
function jsonColumn<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => {
    if (typeof value !== "string") {
      return value;
    }
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }, schema);
}

const oldPkKey = z.string().regex(/^-?(0|[1-9]\d*)$/, "ledger map keys are decimal old pks");
const pkMapColumn = jsonColumn(z.record(oldPkKey, bigintColumn.pipe(newPkSchema)));

/** Parses a chunk-table row as a driver returns it; extra columns (`id`, dates) are ignored. */
export const dbImportChunkSchema = z
  .looseObject({
    import_uuid: importUuidSchema,
    model: modelNameSchema,
    min_ordinal: bigintColumn.pipe(ordinalSchema),
    max_ordinal: bigintColumn,
    min_source_pk: bigintColumn.pipe(oldPkSchema),
    max_source_pk: bigintColumn.pipe(oldPkSchema),
    min_inserted_pk: bigintColumn.pipe(newPkSchema).nullable(),
    max_inserted_pk: bigintColumn.pipe(newPkSchema).nullable(),
    inserted_map: pkMapColumn,
    existing_map: pkMapColumn,
    overwrite_map: pkMapColumn,
    inserted_identifiers: jsonColumn(z.record(oldPkKey, z.string())),
  })
  .refine((row) => row.max_ordinal >= row.min_ordinal, {
    message: "a ledger row records at least one row: max_ordinal >= min_ordinal",
    path: ["max_ordinal"],
  })
  // drop the extra columns a `SELECT *` brings, so the value is exactly the ledger row
  .transform((row): DbImportChunk => ({
    import_uuid: row.import_uuid,
    model: row.model,
    min_ordinal: row.min_ordinal,
    max_ordinal: row.max_ordinal,
    min_source_pk: row.min_source_pk,
    max_source_pk: row.max_source_pk,
    min_inserted_pk: row.min_inserted_pk,
    max_inserted_pk: row.max_inserted_pk,
    inserted_map: row.inserted_map,
    existing_map: row.existing_map,
    overwrite_map: row.overwrite_map,
    inserted_identifiers: row.inserted_identifiers,
  }));

export function parseLedgerRow(raw: unknown): DbImportChunk {
  return dbImportChunkSchema.parse(raw);
}

/** The ledger key of a stored row. */
export function ledgerKeyOf(row: DbImportChunk): LedgerKey {
  return { importUuid: row.import_uuid, model: row.model, minOrdinal: row.min_ordinal };
}

/**
 * The ledger row for a chunk result, or null when the chunk recorded nothing: such a chunk
 * writes no ledger row (and no replica).
 */
export function ledgerRowOf(importUuid: ImportUuid, result: ChunkResult): DbImportChunk | null {
  if (recordedCount(result) === 0 || result.minSourcePk === null || result.maxSourcePk === null) {
    return null;
  }
  const maps: Record<ImportKind, Record<string, number>> = {
    Inserted: {},
    Existing: {},
    Overwrite: {},
  };
  const insertedIdentifiers: Record<string, string> = {};
  for (const row of result.mappedPks) {
    maps[row.kind][String(row.oldPk)] = row.newPk;
    if (row.kind === "Inserted" && row.slug !== null) {
      insertedIdentifiers[String(row.oldPk)] = row.slug;
    }
  }
  return {
    import_uuid: importUuid,
    model: result.model,
    min_ordinal: result.minOrdinal,
    max_ordinal: result.maxOrdinal,
    min_source_pk: result.minSourcePk,
    max_source_pk: result.maxSourcePk,
    min_inserted_pk: result.minInsertedPk,
    max_inserted_pk: result.maxInsertedPk,
    inserted_map: maps.Inserted,
    existing_map: maps.Existing,
    overwrite_map: maps.Overwrite,
    inserted_identifiers: insertedIdentifiers,
  };
}

/** `chunkResultFromRecords` followed by `ledgerRowOf`: what a chunk writes next to its rows. */
export function computeLedgerRow(input: {
  readonly importUuid: ImportUuid;
  readonly model: ModelName;
  readonly minOrdinal: number;
  readonly records: readonly RecordedRow[];
}): DbImportChunk | null {
  return ledgerRowOf(input.importUuid, chunkResultFromRecords(input));
}

/**
 * Rebuilds the result a chunk returned from its ledger row: the three maps become entries of
 * kinds Inserted, Existing and Overwrite (JSON keys become integers), slugs come from
 * `inserted_identifiers`, and the stored bounds are returned as they are. Should one old pk sit
 * in two maps (only possible for a file repeating a pk within one run), the later kind wins.
 */
export function chunkResultFromLedgerRow(row: DbImportChunk): ChunkResult {
  const rows: RecordedRow[] = [];
  const kinds = [
    ["Inserted", row.inserted_map],
    ["Existing", row.existing_map],
    ["Overwrite", row.overwrite_map],
  ] as const;
  for (const [kind, column] of kinds) {
    for (const [key, value] of Object.entries(column)) {
      const slug = kind === "Inserted" ? (row.inserted_identifiers[key] ?? null) : null;
      rows.push({ oldPk: oldPk(Number(key)), newPk: newPkSchema.parse(value), kind, slug });
    }
  }
  return {
    model: row.model,
    minOrdinal: row.min_ordinal,
    maxOrdinal: row.max_ordinal,
    minSourcePk: row.min_source_pk,
    maxSourcePk: row.max_source_pk,
    minInsertedPk: row.min_inserted_pk,
    maxInsertedPk: row.max_inserted_pk,
    mappedPks: canonicalMappedPks(rows),
  };
}

/**
 * The pk map of already-completed chunks (§11.2, serverless path): pass the ledger rows of the
 * related runs of one import, in ordinal order.
 */
export function pkMapFromLedgerRows(rows: Iterable<DbImportChunk>): PrimaryKeyMap {
  const map = new PrimaryKeyMap();
  for (const row of rows) {
    for (const entry of chunkResultFromLedgerRow(row).mappedPks) {
      map.insert(row.model, entry.oldPk, entry.newPk, entry.kind, entry.slug);
    }
  }
  return map;
}
