/**
 * Sentry's instance-configuration and API-credential tables (import-semantics.md §3.2), with the
 * conventions of `0001_sentry_user_tables.ts`. The references outside Config scope
 * (`application_id` → sentry_apiapplication, organization and project ids) are plain bigint
 * columns: those tables are never written here, so no constraint points at them.
 */
import { createTable, foreignKey } from "./types.ts";
import type { Migration } from "./types.ts";

/** `sentry_option` and `sentry_controloption` have the same shape. */
function optionTable(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
    id bigserial PRIMARY KEY,
    key varchar(128) NOT NULL,
    last_updated timestamptz NOT NULL,
    last_updated_by varchar(16) NOT NULL,
    value text NOT NULL,
    CONSTRAINT ${table}_key_key UNIQUE (key)
  )`;
}

export const sentryConfigTables: Migration = {
  id: 2,
  name: "sentry_config_tables",
  steps: [
    createTable("sentry_option", optionTable("sentry_option")),
    createTable("sentry_controloption", optionTable("sentry_controloption")),

    createTable(
      "sentry_relay",
      `CREATE TABLE IF NOT EXISTS sentry_relay (
        id bigserial PRIMARY KEY,
        relay_id varchar(64) NOT NULL,
        public_key varchar(200) NOT NULL,
        first_seen timestamptz NULL,
        last_seen timestamptz NULL,
        is_internal boolean NULL,
        CONSTRAINT sentry_relay_relay_id_key UNIQUE (relay_id)
      )`,
    ),

    // Linked to sentry_relay by value only (no foreign key), as in Sentry.
    createTable(
      "sentry_relayusage",
      `CREATE TABLE IF NOT EXISTS sentry_relayusage (
        id bigserial PRIMARY KEY,
        relay_id varchar(64) NOT NULL,
        version varchar(32) NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        public_key varchar(200) NULL,
        CONSTRAINT sentry_relayusage_relay_id_version_uniq UNIQUE (relay_id, version)
      )`,
      "CREATE INDEX IF NOT EXISTS sentry_relayusage_public_key_idx ON sentry_relayusage (public_key)",
    ),

    createTable(
      "sentry_apitoken",
      `CREATE TABLE IF NOT EXISTS sentry_apitoken (
        id bigserial PRIMARY KEY,
        application_id bigint NULL,
        user_id bigint NOT NULL,
        scoping_organization_id bigint NULL,
        name varchar(255) NULL,
        token varchar(71) NOT NULL,
        hashed_token varchar(128) NULL,
        token_type varchar(7) NULL,
        token_last_characters varchar(4) NULL,
        refresh_token varchar(71) NULL,
        hashed_refresh_token varchar(128) NULL,
        expires_at timestamptz NULL,
        date_added timestamptz NOT NULL,
        scopes bigint NOT NULL,
        scope_list text[] NOT NULL,
        CONSTRAINT sentry_apitoken_token_key UNIQUE (token),
        CONSTRAINT sentry_apitoken_hashed_token_key UNIQUE (hashed_token),
        CONSTRAINT sentry_apitoken_refresh_token_key UNIQUE (refresh_token),
        CONSTRAINT sentry_apitoken_hashed_refresh_token_key UNIQUE (hashed_refresh_token)
      )`,
      "CREATE INDEX IF NOT EXISTS sentry_apitoken_application_id_idx ON sentry_apitoken (application_id)",
      "CREATE INDEX IF NOT EXISTS sentry_apitoken_user_id_idx ON sentry_apitoken (user_id)",
      "CREATE INDEX IF NOT EXISTS sentry_apitoken_scoping_organization_id_idx ON sentry_apitoken (scoping_organization_id)",
    ),
    foreignKey("sentry_apitoken", "user_id", "auth_user"),

    // Two partial unique indexes with Sentry's names: a personal authorization (no organization)
    // is unique per (user, application), an organization-scoped one per (user, application, org).
    createTable(
      "sentry_apiauthorization",
      `CREATE TABLE IF NOT EXISTS sentry_apiauthorization (
        id bigserial PRIMARY KEY,
        application_id bigint NULL,
        user_id bigint NOT NULL,
        date_added timestamptz NOT NULL,
        organization_id bigint NULL,
        scopes bigint NOT NULL,
        scope_list text[] NOT NULL
      )`,
      `CREATE UNIQUE INDEX IF NOT EXISTS apiauthorization_user_app
        ON sentry_apiauthorization (user_id, application_id) WHERE organization_id IS NULL`,
      `CREATE UNIQUE INDEX IF NOT EXISTS apiauthorization_user_app_org
        ON sentry_apiauthorization (user_id, application_id, organization_id)
        WHERE organization_id IS NOT NULL`,
      "CREATE INDEX IF NOT EXISTS sentry_apiauthorization_application_id_idx ON sentry_apiauthorization (application_id)",
      "CREATE INDEX IF NOT EXISTS sentry_apiauthorization_user_id_idx ON sentry_apiauthorization (user_id)",
      "CREATE INDEX IF NOT EXISTS sentry_apiauthorization_organization_id_idx ON sentry_apiauthorization (organization_id)",
    ),
    foreignKey("sentry_apiauthorization", "user_id", "auth_user"),
  ],
};
