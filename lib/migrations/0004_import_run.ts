/**
 * The project's own record of an import (not a Sentry table): what was imported, with which
 * flags and chunk size (fixed for the life of an `import_uuid`, decision h), and how far it got.
 * Unlike Sentry's tables, this one has defaults: nothing outside sentry-import writes it.
 */
import { sql } from "./types.ts";
import type { Migration } from "./types.ts";

export const importRun: Migration = {
  id: 4,
  name: "import_run",
  steps: [
    sql(`CREATE TABLE IF NOT EXISTS sentry_import.import_run (
      import_uuid uuid PRIMARY KEY,
      source text NOT NULL,
      scope text NOT NULL
        CONSTRAINT import_run_scope_check CHECK (scope IN ('user', 'organization', 'config', 'global')),
      flags jsonb NOT NULL DEFAULT '{}'::jsonb,
      chunk_size integer NOT NULL CONSTRAINT import_run_chunk_size_check CHECK (chunk_size > 0),
      status text NOT NULL DEFAULT 'received'
        CONSTRAINT import_run_status_check
        CHECK (status IN ('received', 'planned', 'importing', 'completed', 'failed')),
      plan jsonb NULL,
      counts jsonb NOT NULL DEFAULT '{}'::jsonb,
      findings jsonb NOT NULL DEFAULT '[]'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`),
  ],
};
