/**
 * Sentry's user tables (import-semantics.md §3.2 and §4.1), as Sentry defines them. Conventions:
 * - `id bigserial PRIMARY KEY` everywhere (Sentry's `BoundedBigAutoField`);
 * - no column defaults: Django fills them in Python, so a Sentry-made table has none, and the
 *   importer must supply every value; our tables behave the same so no code relies on a default;
 * - unique sets and partial indexes as in Sentry; index names are ours (Django's carry a hash),
 *   so callers identify a violated key by table and columns (`isDuplicateKey`), never by name.
 */
import { createTable, foreignKey, sql } from "./types.ts";
import type { Migration } from "./types.ts";

export const sentryUserTables: Migration = {
  id: 1,
  name: "sentry_user_tables",
  steps: [
    // `sentry_email.email` is case-insensitively unique. citext is a trusted extension (PG 13+),
    // so a database owner may create it; in a Sentry database it already exists.
    sql("CREATE EXTENSION IF NOT EXISTS citext"),

    createTable(
      "auth_user",
      `CREATE TABLE IF NOT EXISTS auth_user (
        id bigserial PRIMARY KEY,
        password varchar(128) NOT NULL,
        last_login timestamptz NULL,
        username varchar(128) NOT NULL,
        first_name varchar(200) NOT NULL,
        email varchar(75) NOT NULL,
        is_staff boolean NOT NULL,
        is_active boolean NOT NULL,
        is_unclaimed boolean NOT NULL,
        is_superuser boolean NOT NULL,
        is_managed boolean NOT NULL,
        is_sentry_app boolean NULL,
        is_password_expired boolean NOT NULL,
        last_password_change timestamptz NULL,
        flags bigint NULL,
        session_nonce varchar(12) NULL,
        date_joined timestamptz NOT NULL,
        last_active timestamptz NULL,
        avatar_type smallint NOT NULL CONSTRAINT auth_user_avatar_type_check CHECK (avatar_type >= 0),
        avatar_url varchar(120) NULL,
        CONSTRAINT auth_user_username_key UNIQUE (username)
      )`,
    ),

    createTable(
      "sentry_email",
      `CREATE TABLE IF NOT EXISTS sentry_email (
        id bigserial PRIMARY KEY,
        email citext NOT NULL,
        date_added timestamptz NOT NULL,
        CONSTRAINT sentry_email_email_key UNIQUE (email)
      )`,
    ),

    createTable(
      "sentry_useremail",
      `CREATE TABLE IF NOT EXISTS sentry_useremail (
        id bigserial PRIMARY KEY,
        user_id bigint NOT NULL,
        email varchar(200) NOT NULL,
        validation_hash varchar(32) NOT NULL,
        date_hash_added timestamptz NOT NULL,
        is_verified boolean NOT NULL,
        CONSTRAINT sentry_useremail_user_id_email_uniq UNIQUE (user_id, email)
      )`,
      "CREATE INDEX IF NOT EXISTS sentry_useremail_email_idx ON sentry_useremail (email)",
    ),
    foreignKey("sentry_useremail", "user_id", "auth_user"),

    createTable(
      "sentry_useroption",
      `CREATE TABLE IF NOT EXISTS sentry_useroption (
        id bigserial PRIMARY KEY,
        user_id bigint NOT NULL,
        project_id bigint NULL,
        organization_id bigint NULL,
        key varchar(64) NOT NULL,
        value jsonb NULL,
        CONSTRAINT sentry_useroption_user_id_project_id_key_uniq UNIQUE (user_id, project_id, key),
        CONSTRAINT sentry_useroption_user_id_organization_id_key_uniq
          UNIQUE (user_id, organization_id, key)
      )`,
      "CREATE INDEX IF NOT EXISTS sentry_useroption_project_id_idx ON sentry_useroption (project_id)",
      "CREATE INDEX IF NOT EXISTS sentry_useroption_organization_id_idx ON sentry_useroption (organization_id)",
    ),
    foreignKey("sentry_useroption", "user_id", "auth_user"),

    createTable(
      "sentry_userpermission",
      `CREATE TABLE IF NOT EXISTS sentry_userpermission (
        id bigserial PRIMARY KEY,
        user_id bigint NOT NULL,
        permission varchar(32) NOT NULL,
        CONSTRAINT sentry_userpermission_user_id_permission_uniq UNIQUE (user_id, permission)
      )`,
    ),
    foreignKey("sentry_userpermission", "user_id", "auth_user"),

    createTable(
      "sentry_userrole",
      `CREATE TABLE IF NOT EXISTS sentry_userrole (
        id bigserial PRIMARY KEY,
        date_updated timestamptz NOT NULL,
        date_added timestamptz NULL,
        name varchar(32) NOT NULL,
        permissions text[] NOT NULL,
        CONSTRAINT sentry_userrole_name_key UNIQUE (name)
      )`,
    ),

    // No unique constraint, as in Sentry: decision g's (user_id, role_id) check is in code.
    createTable(
      "sentry_userrole_users",
      `CREATE TABLE IF NOT EXISTS sentry_userrole_users (
        id bigserial PRIMARY KEY,
        date_updated timestamptz NOT NULL,
        date_added timestamptz NULL,
        user_id bigint NOT NULL,
        role_id bigint NOT NULL
      )`,
      "CREATE INDEX IF NOT EXISTS sentry_userrole_users_user_id_idx ON sentry_userrole_users (user_id)",
      "CREATE INDEX IF NOT EXISTS sentry_userrole_users_role_id_idx ON sentry_userrole_users (role_id)",
    ),
    foreignKey("sentry_userrole_users", "user_id", "auth_user"),
    foreignKey("sentry_userrole_users", "role_id", "sentry_userrole"),

    // §4.1: one per user (`user_id` unique), get-or-created for inserted users.
    createTable(
      "sentry_lostpasswordhash",
      `CREATE TABLE IF NOT EXISTS sentry_lostpasswordhash (
        id bigserial PRIMARY KEY,
        user_id bigint NOT NULL,
        hash varchar(32) NOT NULL,
        date_added timestamptz NOT NULL,
        CONSTRAINT sentry_lostpasswordhash_user_id_key UNIQUE (user_id)
      )`,
    ),
    foreignKey("sentry_lostpasswordhash", "user_id", "auth_user"),
  ],
};
