/**
 * A few of Sentry's tables as Sentry's own migrations leave them: Django's hashed constraint and
 * index names, deferred foreign keys, and columns this project does not know (newer Sentry). The
 * migrations must find these and leave every one of them exactly as it was.
 */
export const SENTRY_SHAPED_TABLES = [
  "auth_user",
  "sentry_email",
  "sentry_useremail",
  "sentry_apiauthorization",
  "sentry_controlimportchunk",
  "sentry_controloutbox",
] as const;

export const SENTRY_SHAPED_DDL: readonly string[] = [
  "CREATE EXTENSION IF NOT EXISTS citext",
  `CREATE TABLE auth_user (
    id bigserial NOT NULL PRIMARY KEY,
    password varchar(128) NOT NULL,
    last_login timestamptz NULL,
    username varchar(128) NOT NULL UNIQUE,
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
    avatar_type smallint NOT NULL CHECK (avatar_type >= 0),
    avatar_url varchar(120) NULL,
    a_newer_sentry_column text NULL DEFAULT 'kept'
  )`,
  "CREATE INDEX auth_user_username_6821ab7c_like ON auth_user (username varchar_pattern_ops)",
  `CREATE TABLE sentry_email (
    id bigserial NOT NULL PRIMARY KEY,
    email citext NOT NULL UNIQUE,
    date_added timestamptz NOT NULL
  )`,
  `CREATE TABLE sentry_useremail (
    id bigserial NOT NULL PRIMARY KEY,
    email varchar(200) NOT NULL,
    validation_hash varchar(32) NOT NULL,
    date_hash_added timestamptz NOT NULL,
    is_verified boolean NOT NULL,
    user_id bigint NOT NULL,
    CONSTRAINT sentry_useremail_user_id_email_ade975f1_uniq UNIQUE (user_id, email),
    CONSTRAINT sentry_useremail_user_id_5e8e3b7e_fk_auth_user_id FOREIGN KEY (user_id)
      REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED
  )`,
  "CREATE INDEX sentry_useremail_user_id_5e8e3b7e ON sentry_useremail (user_id)",
  `CREATE TABLE sentry_apiauthorization (
    id bigserial NOT NULL PRIMARY KEY,
    scopes bigint NOT NULL,
    scope_list text[] NOT NULL,
    date_added timestamptz NOT NULL,
    application_id bigint NULL,
    user_id bigint NOT NULL,
    organization_id bigint NULL,
    CONSTRAINT sentry_apiauthorization_user_id_2bb2cc44_fk_auth_user_id FOREIGN KEY (user_id)
      REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED
  )`,
  `CREATE UNIQUE INDEX apiauthorization_user_app ON sentry_apiauthorization (user_id, application_id)
    WHERE organization_id IS NULL`,
  `CREATE UNIQUE INDEX apiauthorization_user_app_org
    ON sentry_apiauthorization (user_id, application_id, organization_id)
    WHERE organization_id IS NOT NULL`,
  `CREATE TABLE sentry_controlimportchunk (
    id bigserial NOT NULL PRIMARY KEY,
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
    CONSTRAINT sentry_controlimportch_import_uuid_model_min_o_3a6f1e2b_uniq
      UNIQUE (import_uuid, model, min_ordinal)
  )`,
  `CREATE TABLE sentry_controloutbox (
    id bigserial NOT NULL PRIMARY KEY,
    shard_scope integer NOT NULL,
    payload jsonb NULL
  )`,
];
