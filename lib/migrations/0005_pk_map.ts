/**
 * The stored pk map (import-semantics.md §11): one row per recorded row of the models FKs point
 * at (user, userrole), written in the chunk's transaction next to the ledger row. FK rewriting reads it with one indexed lookup per
 * FK target and chunk, so neither the CLI nor a chunk function has to hold the map in memory.
 *
 * Also an index for the case-insensitive username lookups of decision b, on our own auth_user
 * only: a Sentry database's tables are never altered.
 */
import { sql, whenOwned } from "./types.ts";
import type { Migration } from "./types.ts";

export const pkMap: Migration = {
  id: 5,
  name: "pk_map",
  steps: [
    sql(`CREATE TABLE IF NOT EXISTS sentry_import.pk_map (
      import_uuid uuid NOT NULL,
      model varchar(64) NOT NULL,
      old_pk bigint NOT NULL,
      new_pk bigint NOT NULL,
      kind varchar(16) NOT NULL
        CONSTRAINT pk_map_kind_check CHECK (kind IN ('Inserted', 'Existing', 'Overwrite')),
      CONSTRAINT pk_map_pkey PRIMARY KEY (import_uuid, model, old_pk)
    )`),
    whenOwned(
      ["auth_user"],
      "CREATE INDEX IF NOT EXISTS auth_user_username_lower_idx ON auth_user (lower(username))",
    ),
  ],
};
