/**
 * Sentry's three import chunk tables, the ledger (import-semantics.md §4.2, §12): identical
 * columns, and `UNIQUE (import_uuid, model, min_ordinal)`, the key that makes a redelivered chunk
 * a no-op and a concurrent one a detectable lost race. Conventions as in `0001`.
 */
import { createTable } from "./types.ts";
import type { Migration, MigrationStep } from "./types.ts";

function chunkTable(table: string): MigrationStep {
  return createTable(
    table,
    `CREATE TABLE IF NOT EXISTS ${table} (
      id bigserial PRIMARY KEY,
      date_updated timestamptz NOT NULL,
      date_added timestamptz NULL,
      import_uuid uuid NOT NULL,
      model varchar(64) NOT NULL,
      min_ordinal bigint NOT NULL,
      max_ordinal bigint NOT NULL,
      min_source_pk bigint NOT NULL,
      max_source_pk bigint NOT NULL,
      min_inserted_pk bigint NULL,
      max_inserted_pk bigint NULL,
      inserted_map jsonb NOT NULL,
      existing_map jsonb NOT NULL,
      overwrite_map jsonb NOT NULL,
      inserted_identifiers jsonb NOT NULL,
      CONSTRAINT ${table}_import_uuid_model_min_ordinal_uniq UNIQUE (import_uuid, model, min_ordinal)
    )`,
    `CREATE INDEX IF NOT EXISTS ${table}_import_uuid_idx ON ${table} (import_uuid)`,
    `CREATE INDEX IF NOT EXISTS ${table}_model_idx ON ${table} (model)`,
  );
}

export const sentryImportChunkTables: Migration = {
  id: 3,
  name: "sentry_import_chunk_tables",
  steps: [
    chunkTable("sentry_regionimportchunk"),
    chunkTable("sentry_controlimportchunk"),
    chunkTable("sentry_controlimportchunkreplica"),
  ],
};
