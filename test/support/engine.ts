/**
 * Helpers for the engine's integration suites (test/integration/engine/**): import rows, fixtures
 * or bytes through `runImport` into a migrated test database, then read back counts, rows and
 * ledger rows. Every import runs at a fixed "now", so no assertion depends on the wall clock.
 *
 * Suites run on both adapters with `engineSuite`, which gives each suite one database and
 * empties every table before each test (ids keep counting: no test depends on their values).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import { runImport } from "../../lib/engine/runImport.ts";
import type { ImportReport, RunImportOptions } from "../../lib/engine/runImport.ts";
import type { ImportSettings } from "../../lib/engine/importOptions.ts";
import { bufferSource, fileSource } from "../../lib/format/index.ts";
import { importUuid } from "../../lib/ledger/key.ts";
import type { ImportUuid } from "../../lib/ledger/key.ts";
import type { ByteSource, Database, Db, DbRow } from "../../lib/ports.ts";
import type { ImportFlags } from "../../lib/writer/types.ts";
import { ADAPTER_KINDS, openTestDatabase } from "./db.ts";
import type { AdapterKind, OpenedTestDatabase } from "./db.ts";
import { readShared, SHARED_AVAILABLE, sharedPath } from "./shared.ts";
import { generateExportText } from "./synthetic/index.ts";
import type { SyntheticExportOptions } from "./synthetic/index.ts";
import { CONFIG_TABLES } from "./synthetic/models.ts";
import type { ConfigTable } from "./synthetic/models.ts";

/** The instant every test import runs at. */
export const NOW = "2031-03-04T05:06:07.000Z";

/** A raw export row, as Sentry writes it. */
export interface RawRow {
  readonly model: string;
  readonly pk: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface SettingsOverrides {
  readonly scope?: ImportSettings["scope"];
  readonly chunkSize?: number;
  readonly mergeUsers?: boolean;
  readonly overwriteConfigs?: boolean;
  readonly passwordMode?: ImportFlags["passwordMode"];
  readonly usernameFilter?: readonly string[] | null;
}

export interface ImportOverrides extends SettingsOverrides {
  /** defaults to a fresh random uuid per import */
  readonly importUuid?: string;
  readonly now?: string;
  readonly concurrency?: number;
  readonly dryRun?: boolean;
  readonly chunkOptions?: RunImportOptions["chunkOptions"];
}

export function settingsOf(overrides: SettingsOverrides = {}): ImportSettings {
  return {
    scope: overrides.scope ?? "Config",
    chunkSize: overrides.chunkSize ?? 20,
    flags: {
      mergeUsers: overrides.mergeUsers ?? false,
      overwriteConfigs: overrides.overwriteConfigs ?? false,
      passwordMode: overrides.passwordMode ?? { kind: "unusable" },
    },
    usernameFilter: overrides.usernameFilter ?? null,
  };
}

export function newImportUuid(): ImportUuid {
  return importUuid(randomUUID());
}

/** Imports whatever `source` streams, with the defaults of `sentry-import config`. */
export async function importSource(
  db: Database,
  source: ByteSource,
  overrides: ImportOverrides = {},
): Promise<ImportReport> {
  return runImport(db, source, {
    importUuid: importUuid(overrides.importUuid ?? randomUUID()),
    settings: settingsOf(overrides),
    concurrency: overrides.concurrency ?? (db.kind === "postgres" ? 3 : 1),
    dryRun: overrides.dryRun ?? false,
    now: overrides.now ?? NOW,
    retryAttempts: 1,
    ...(overrides.chunkOptions === undefined ? {} : { chunkOptions: overrides.chunkOptions }),
  });
}

export function sourceOfRows(rows: readonly RawRow[]): ByteSource {
  return bufferSource(Buffer.from(JSON.stringify(rows), "utf8"));
}

/** Imports an export made of `rows` (serialised as Sentry's JSON array). */
export async function importRows(
  db: Database,
  rows: readonly RawRow[],
  overrides: ImportOverrides = {},
): Promise<ImportReport> {
  return importSource(db, sourceOfRows(rows), overrides);
}

/** Imports a fixture of `../shared/fixtures/sentry/`, read in place. */
export async function importFixture(
  db: Database,
  name: string,
  overrides: ImportOverrides = {},
): Promise<ImportReport> {
  return importSource(db, fileSource(sharedPath("sentry", name)), overrides);
}

/** Imports a synthetic export (test/support/synthetic), so the test needs nothing from ../shared. */
export async function importSynthetic(
  db: Database,
  options: SyntheticExportOptions,
  overrides: ImportOverrides = {},
): Promise<ImportReport> {
  return importSource(
    db,
    bufferSource(Buffer.from(generateExportText(options), "utf8")),
    overrides,
  );
}

export async function count(db: Db, table: string, where = "TRUE"): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM ${table} WHERE ${where}`,
  );
  return Number(rows[0]?.n ?? 0);
}

export async function rowsOf<R extends DbRow = DbRow>(
  db: Db,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  return (await db.query<R>(sql, params)).rows;
}

/** The tables a Config import writes, and the side-effect table (one list, the generator's). */
export const WRITTEN_TABLES = CONFIG_TABLES;
export type WrittenTable = ConfigTable;

export async function tableCounts(db: Db): Promise<Record<WrittenTable, number>> {
  const out: Partial<Record<WrittenTable, number>> = {};
  for (const table of WRITTEN_TABLES) {
    out[table] = await count(db, table);
  }
  return out as Record<WrittenTable, number>;
}

export const LEDGER_TABLES = [
  "sentry_regionimportchunk",
  "sentry_controlimportchunk",
  "sentry_controlimportchunkreplica",
] as const;

export type LedgerTable = (typeof LEDGER_TABLES)[number];

/** A ledger row with the maps parsed and pks as numbers. */
export interface LedgerEntry {
  readonly importUuid: string;
  readonly model: string;
  readonly minOrdinal: number;
  readonly maxOrdinal: number;
  readonly minSourcePk: number;
  readonly maxSourcePk: number;
  readonly minInsertedPk: number | null;
  readonly maxInsertedPk: number | null;
  readonly inserted: Record<string, number>;
  readonly existing: Record<string, number>;
  readonly overwrite: Record<string, number>;
  readonly insertedIdentifiers: Record<string, string>;
}

function toNumber(value: unknown): number {
  return Number(value);
}

function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toMap<V>(value: unknown): Record<string, V> {
  return (typeof value === "string" ? JSON.parse(value) : value) as Record<string, V>;
}

/** The ledger rows of one chunk table, ordered by model and ordinal. */
export async function ledger(db: Db, table: LedgerTable): Promise<LedgerEntry[]> {
  const rows = await rowsOf(
    db,
    `SELECT import_uuid::text AS import_uuid, model, min_ordinal, max_ordinal, min_source_pk,
       max_source_pk, min_inserted_pk, max_inserted_pk, inserted_map, existing_map, overwrite_map,
       inserted_identifiers
     FROM ${table} ORDER BY model, min_ordinal, import_uuid`,
  );
  return rows.map((r) => ({
    importUuid: String(r["import_uuid"]),
    model: String(r["model"]),
    minOrdinal: toNumber(r["min_ordinal"]),
    maxOrdinal: toNumber(r["max_ordinal"]),
    minSourcePk: toNumber(r["min_source_pk"]),
    maxSourcePk: toNumber(r["max_source_pk"]),
    minInsertedPk: toNullableNumber(r["min_inserted_pk"]),
    maxInsertedPk: toNullableNumber(r["max_inserted_pk"]),
    inserted: toMap<number>(r["inserted_map"]),
    existing: toMap<number>(r["existing_map"]),
    overwrite: toMap<number>(r["overwrite_map"]),
    insertedIdentifiers: toMap<string>(r["inserted_identifiers"]),
  }));
}

/** `[model, minOrdinal, maxOrdinal]` of every row of a chunk table. */
export async function ledgerSpans(
  db: Db,
  table: LedgerTable,
): Promise<[model: string, min: number, max: number][]> {
  return (await ledger(db, table)).map((e) => [e.model, e.minOrdinal, e.maxOrdinal]);
}

/** The ledger rows of `model` in its chunk table (control models: the primary table). */
export async function ledgerOf(db: Db, model: string): Promise<LedgerEntry[]> {
  const all = [
    ...(await ledger(db, "sentry_regionimportchunk")),
    ...(await ledger(db, "sentry_controlimportchunk")),
  ];
  return all.filter((e) => e.model === model);
}

/**
 * Empties every table of the database but the migration records, children before parents.
 * (DELETE, because TRUNCATE costs a few hundred milliseconds per call on the server.)
 */
export async function truncateAll(db: Db): Promise<void> {
  const tables = await rowsOf<{ name: string }>(
    db,
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
     WHERE schemaname IN ('public', 'sentry_import')
       AND tablename NOT IN ('migrations', 'owned_tables')`,
  );
  const links = await rowsOf<{ child: string; parent: string }>(
    db,
    `SELECT format('%I.%I', cn.nspname, c.relname) AS child,
       format('%I.%I', pn.nspname, p.relname) AS parent
     FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
     JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace
     WHERE k.contype = 'f' AND k.conrelid <> k.confrelid`,
  );
  let left = tables.map((t) => t.name);
  while (left.length > 0) {
    const referenced = new Set(links.filter((l) => left.includes(l.child)).map((l) => l.parent));
    const leaves = left.filter((t) => !referenced.has(t));
    if (leaves.length === 0) {
      throw new Error(`foreign keys form a cycle among ${left.join(", ")}`);
    }
    for (const table of leaves) {
      await db.query(`DELETE FROM ${table}`);
    }
    left = left.filter((t) => !leaves.includes(t));
  }
}

/**
 * The suite body runs once per adapter (`describe.each` over postgres and pglite), with one
 * migrated database per adapter, emptied before each test.
 */
export function engineSuite(name: string, body: (db: () => Database, kind: AdapterKind) => void) {
  describe.each(ADAPTER_KINDS)(`${name} (%s)`, (kind) => {
    let opened: OpenedTestDatabase | undefined;
    beforeAll(async () => {
      opened = await openTestDatabase(kind);
    });
    afterAll(async () => {
      await opened?.dispose();
    });
    beforeEach(async () => {
      await truncateAll(db());
    });
    const db = (): Database => {
      if (opened === undefined) {
        throw new Error("the test database exists only inside tests");
      }
      return opened.db;
    };
    body(db, kind);
  });
}

/** A user row with Sentry's current export shape; `fields` override the defaults. */
/** The addresses in `sentry_email`, in insertion order or, `byFold`, by their case fold. */
export async function emailAddresses(
  db: Db,
  options: { readonly byFold?: boolean } = {},
): Promise<string[]> {
  const order = options.byFold === true ? "lower(email::text)" : "id::bigint";
  const rows = await rowsOf<{ email: string }>(
    db,
    `SELECT email::text AS email FROM sentry_email ORDER BY ${order}`,
  );
  return rows.map((r) => r.email);
}

/** A `sentry.useremail` row of `user` for `email`, verified, with an imported hash. */
export function userEmailRow(
  pk: number,
  user: number,
  email: string,
  extra: Record<string, unknown> = {},
): RawRow {
  return row("sentry.useremail", pk, {
    user,
    email,
    validation_hash: "imported-hash-imported-hash-1234",
    date_hash_added: "2023-06-22T00:00:00.000Z",
    is_verified: true,
    ...extra,
  });
}

export function userRow(
  pk: number,
  username: string,
  fields: Record<string, unknown> = {},
): RawRow {
  return {
    model: "sentry.user",
    pk,
    fields: {
      password: "pbkdf2_sha256$150000$abc$xyz=",
      last_login: null,
      username,
      name: "",
      email: `${username}@example.com`,
      is_staff: false,
      is_active: true,
      is_superuser: false,
      is_managed: false,
      is_sentry_app: null,
      is_password_expired: false,
      is_unclaimed: false,
      last_password_change: "2023-06-22T00:00:00.000Z",
      flags: "0",
      session_nonce: null,
      date_joined: "2023-06-22T00:00:00.000Z",
      last_active: "2023-06-22T00:00:00.000Z",
      avatar_type: 0,
      avatar_url: null,
      ...fields,
    },
  };
}

export function row(model: string, pk: number, fields: Record<string, unknown>): RawRow {
  return { model, pk, fields };
}

/** The four user fixtures that form the tmp-users composite (import-semantics.md §18). */
export const TMP_USERS_FIXTURES = [
  "user-with-maximum-privileges.json",
  "user-with-minimum-privileges.json",
  "user-with-roles-no-superadmin.json",
  "user-with-superadmin-no-roles.json",
] as const;

export async function readFixtureRows(name: string): Promise<RawRow[]> {
  return JSON.parse((await readShared("sentry", name)).toString("utf8")) as RawRow[];
}

/**
 * The tmp-users composite: the four user fixtures' rows concatenated and sorted by (position
 * of the model in Sentry's `sorted.json`, pk), pks kept.
 */
export async function tmpUsersComposite(): Promise<RawRow[]> {
  const sorted = JSON.parse(
    (await readShared("sentry", "model_dependencies", "sorted.json")).toString("utf8"),
  ) as string[];
  const position = (model: string): number => {
    const index = sorted.indexOf(model);
    if (index < 0) {
      throw new Error(`${model} is not in sorted.json`);
    }
    return index;
  };
  const rows = (await Promise.all(TMP_USERS_FIXTURES.map(readFixtureRows))).flat();
  return rows.sort((a, b) => position(a.model) - position(b.model) || a.pk - b.pk);
}

/** For `it.skipIf(NO_SHARED)(…)`: tests that read ../shared are skipped when it is absent. */
export const NO_SHARED = !SHARED_AVAILABLE;

/**
 * What a Config import stored, independent of ids and of the values it generates at random
 * (passwords, validation and lost-password hashes): every written table as sorted rows, FK ids
 * replaced by the username or role name they point at, datetimes as ISO strings.
 */
export async function storedForms(db: Db): Promise<Record<string, string[]>> {
  const queries: Record<string, string> = {
    auth_user: `SELECT username, first_name, email, is_staff, is_active, is_unclaimed,
        is_superuser, is_managed, is_sentry_app, is_password_expired, last_password_change,
        last_login, flags, session_nonce, date_joined, last_active, avatar_type, avatar_url
      FROM auth_user x`,
    sentry_email: "SELECT email::text AS email, date_added FROM sentry_email x",
    sentry_useremail: `SELECT u.username, x.email, x.is_verified, x.date_hash_added,
        length(x.validation_hash) AS hash_length
      FROM sentry_useremail x JOIN auth_user u ON u.id = x.user_id`,
    sentry_useroption: `SELECT u.username, x.key, x.value, x.organization_id, x.project_id
      FROM sentry_useroption x JOIN auth_user u ON u.id = x.user_id`,
    sentry_userpermission: `SELECT u.username, x.permission
      FROM sentry_userpermission x JOIN auth_user u ON u.id = x.user_id`,
    sentry_userrole: "SELECT name, permissions, date_added, date_updated FROM sentry_userrole x",
    sentry_userrole_users: `SELECT u.username, r.name, x.date_added, x.date_updated
      FROM sentry_userrole_users x JOIN auth_user u ON u.id = x.user_id
      JOIN sentry_userrole r ON r.id = x.role_id`,
    sentry_option: "SELECT key, value, last_updated, last_updated_by FROM sentry_option x",
    sentry_controloption:
      "SELECT key, value, last_updated, last_updated_by FROM sentry_controloption x",
    sentry_relay:
      "SELECT relay_id, public_key, first_seen, last_seen, is_internal FROM sentry_relay x",
    sentry_relayusage:
      "SELECT relay_id, version, first_seen, last_seen, public_key FROM sentry_relayusage x",
    sentry_apitoken: `SELECT u.username, x.name, x.token, x.hashed_token, x.token_type,
        x.token_last_characters, x.refresh_token, x.hashed_refresh_token, x.expires_at,
        x.date_added, x.scopes, x.scope_list, x.application_id, x.scoping_organization_id
      FROM sentry_apitoken x JOIN auth_user u ON u.id = x.user_id`,
    sentry_apiauthorization: `SELECT u.username, x.date_added, x.scopes, x.scope_list,
        x.application_id, x.organization_id
      FROM sentry_apiauthorization x JOIN auth_user u ON u.id = x.user_id`,
    sentry_lostpasswordhash: `SELECT u.username, x.date_added, length(x.hash) AS hash_length
      FROM sentry_lostpasswordhash x JOIN auth_user u ON u.id = x.user_id`,
  };
  const out: Record<string, string[]> = {};
  for (const [table, sql] of Object.entries(queries)) {
    const rows = await rowsOf(db, sql);
    out[table] = rows
      .map((r) =>
        JSON.stringify(r, (_key, value: unknown) =>
          typeof value === "bigint" ? String(value) : value,
        ),
      )
      .sort();
  }
  return out;
}
