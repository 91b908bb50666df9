/**
 * What the serverless pipeline keeps beside the run: the import's staging key (chunk payloads
 * in the staging bucket are encrypted under it, so the key lives only in Postgres), the
 * backup object it came from, the derived email filter, and one row per finished chunk, which is
 * how a finishing chunk learns that its dependency level is complete.
 */
import { sql } from "./types.ts";
import type { Migration } from "./types.ts";

export const pipeline: Migration = {
  id: 6,
  name: "pipeline",
  steps: [
    sql("ALTER TABLE sentry_import.import_run ADD COLUMN IF NOT EXISTS staging_key text NULL"),
    sql("ALTER TABLE sentry_import.import_run ADD COLUMN IF NOT EXISTS trigger jsonb NULL"),
    sql("ALTER TABLE sentry_import.import_run ADD COLUMN IF NOT EXISTS email_filter jsonb NULL"),
    sql(
      "ALTER TABLE sentry_import.import_run ADD COLUMN IF NOT EXISTS planning_until timestamptz NULL",
    ),
    sql(`CREATE TABLE IF NOT EXISTS sentry_import.chunk_done (
      import_uuid uuid NOT NULL,
      model varchar(64) NOT NULL,
      min_ordinal bigint NOT NULL,
      outcome varchar(16) NOT NULL,
      done_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT chunk_done_pkey PRIMARY KEY (import_uuid, model, min_ordinal)
    )`),
  ],
};
