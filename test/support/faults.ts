/**
 * Fault injection and database oracles for the at-least-once and bad-input suites.
 *
 * - `crashBefore`, `statementLog`: `beforeStatement` hooks for the chunk importer (a throw there
 *   is a crash between two statements of the chunk's transaction);
 * - `tableCounts`, `nonEmptyTables`, `resetDatabase`: every table an import may write (the
 *   Sentry tables, the three chunk ledgers, `sentry_import.*` except the migration bookkeeping),
 *   found in the catalog rather than listed, so a table added later is covered too;
 * - `naturalSnapshot`: the database's content by natural keys (usernames, option keys…) instead
 *   of ids, without the values an import generates at random (passwords, hashes), so two imports
 *   of the same data compare equal even when their sequences advanced differently;
 * - `exportRows`, `bytesSource`, `chunkRequest`: inputs for `importChunk` and `runImport`.
 */
import type { ChunkImportOptions } from "../../lib/engine/chunkImporter.ts";
import { NO_FILTERS } from "../../lib/engine/chunkRequest.ts";
import type { ChunkFilters, ChunkRequest } from "../../lib/engine/chunkRequest.ts";
import type { ExportRow } from "../../lib/export/envelope.ts";
import type { ImportUuid } from "../../lib/ledger/key.ts";
import type { ByteSource, Db } from "../../lib/ports.ts";
import { CONFIG_MODELS, isForeignKeyTarget } from "../../lib/registry/registry.ts";
import { toModelName } from "../../lib/registry/types.ts";
import type { ImportScope, ModelName } from "../../lib/registry/types.ts";
import type { ImportFlags } from "../../lib/writer/types.ts";

export type BeforeStatement = NonNullable<ChunkImportOptions["beforeStatement"]>;

/** What a `crashBefore` hook throws: recognisable, so a test can tell it from a real failure. */
export class InjectedCrash extends Error {
  readonly index: number;
  readonly sql: string;

  constructor(index: number, sql: string) {
    super(`injected crash before statement ${String(index)}: ${sql.slice(0, 60)}`);
    this.name = "InjectedCrash";
    this.index = index;
    this.sql = sql;
  }
}

/** A hook that throws `InjectedCrash` before statement `target` (0-based) of the transaction. */
export function crashBefore(target: number): BeforeStatement {
  return (index, sql) => {
    if (index === target) {
      throw new InjectedCrash(index, sql);
    }
  };
}

/** A hook that records every statement of the transaction, `"COMMIT"` last. */
export function statementLog(): { readonly hook: BeforeStatement; readonly statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    hook: (index, sql) => {
      statements[index] = sql;
    },
  };
}

/** Migration bookkeeping: written by `migrate`, never by an import. */
const NOT_IMPORT_TABLES = new Set(["sentry_import.migrations", "sentry_import.owned_tables"]);

/** Every table an import may write, schema-qualified, in a stable order. */
export async function importTables(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema IN ('public', 'sentry_import')
     ORDER BY 1`,
  );
  return rows.map((r) => r.name).filter((name) => !NOT_IMPORT_TABLES.has(name));
}

function quoted(qualified: string): string {
  return qualified
    .split(".")
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join(".");
}

/** Row count of every import table (sequences aside: they never roll back). */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = await importTables(db);
  const { rows } = await db.query<{ counts: Record<string, number> | string }>(
    `SELECT json_build_object(${tables
      .map((t) => `'${t}', (SELECT count(*) FROM ${quoted(t)})`)
      .join(", ")})::text AS counts`,
  );
  const raw = rows[0]?.counts ?? "{}";
  return (typeof raw === "string" ? JSON.parse(raw) : raw) as Record<string, number>;
}

/** The import tables holding at least one row, with their counts (`{}` when all are empty). */
export async function nonEmptyTables(db: Db): Promise<Record<string, number>> {
  return Object.fromEntries(Object.entries(await tableCounts(db)).filter(([, n]) => n > 0));
}

/** The targets of the foreign keys between import tables: emptied after the tables that point at them. */
const REFERENCED_TABLES = ["public.sentry_userrole", "public.auth_user"];

/**
 * Empties every import table: a clean target, much cheaper than a new database. Sequences go on
 * counting (DELETE, not TRUNCATE, which costs a new file per table on server Postgres).
 */
export async function resetDatabase(db: Db): Promise<void> {
  const tables = await importTables(db);
  const ordered = [
    ...tables.filter((t) => !REFERENCED_TABLES.includes(t)),
    ...REFERENCED_TABLES.filter((t) => tables.includes(t)),
  ];
  for (const table of ordered) {
    await db.query(`DELETE FROM ${quoted(table)}`);
  }
}

/**
 * Per table: each row as JSON text, ids and FK ids replaced by the natural key they point at,
 * random columns left out; sorted. Row order and ids play no part.
 */
const SNAPSHOT_QUERIES: Readonly<Record<string, string>> = {
  auth_user: `SELECT (to_jsonb(t) - 'id' - 'password')::text AS row FROM auth_user t`,
  sentry_email: `SELECT (to_jsonb(t) - 'id')::text AS row FROM sentry_email t`,
  sentry_useremail: `SELECT (to_jsonb(t) - 'id' - 'user_id' - 'validation_hash'
      || jsonb_build_object('user', u.username))::text AS row
    FROM sentry_useremail t JOIN auth_user u ON u.id = t.user_id`,
  sentry_lostpasswordhash: `SELECT (to_jsonb(t) - 'id' - 'user_id' - 'hash'
      || jsonb_build_object('user', u.username))::text AS row
    FROM sentry_lostpasswordhash t JOIN auth_user u ON u.id = t.user_id`,
  sentry_useroption: `SELECT (to_jsonb(t) - 'id' - 'user_id'
      || jsonb_build_object('user', u.username))::text AS row
    FROM sentry_useroption t JOIN auth_user u ON u.id = t.user_id`,
  sentry_userpermission: `SELECT (to_jsonb(t) - 'id' - 'user_id'
      || jsonb_build_object('user', u.username))::text AS row
    FROM sentry_userpermission t JOIN auth_user u ON u.id = t.user_id`,
  sentry_userrole: `SELECT (to_jsonb(t) - 'id')::text AS row FROM sentry_userrole t`,
  sentry_userrole_users: `SELECT (to_jsonb(t) - 'id' - 'user_id' - 'role_id'
      || jsonb_build_object('user', u.username, 'role', r.name))::text AS row
    FROM sentry_userrole_users t JOIN auth_user u ON u.id = t.user_id
    JOIN sentry_userrole r ON r.id = t.role_id`,
  sentry_option: `SELECT (to_jsonb(t) - 'id')::text AS row FROM sentry_option t`,
  sentry_controloption: `SELECT (to_jsonb(t) - 'id')::text AS row FROM sentry_controloption t`,
  sentry_relay: `SELECT (to_jsonb(t) - 'id')::text AS row FROM sentry_relay t`,
  sentry_relayusage: `SELECT (to_jsonb(t) - 'id')::text AS row FROM sentry_relayusage t`,
  sentry_apitoken: `SELECT (to_jsonb(t) - 'id' - 'user_id'
      || jsonb_build_object('user', u.username))::text AS row
    FROM sentry_apitoken t JOIN auth_user u ON u.id = t.user_id`,
  sentry_apiauthorization: `SELECT (to_jsonb(t) - 'id' - 'user_id'
      || jsonb_build_object('user', u.username))::text AS row
    FROM sentry_apiauthorization t JOIN auth_user u ON u.id = t.user_id`,
};

/** The natural key of each row of a model's table, by id: what a pk-map entry points at. */
const NATURAL_KEYS: Readonly<Record<string, string>> = {
  "sentry.user": `SELECT id, username AS nk FROM auth_user`,
  "sentry.email": `SELECT id, lower(email::text) AS nk FROM sentry_email`,
  "sentry.useremail": `SELECT t.id, u.username || ' ' || t.email AS nk
    FROM sentry_useremail t JOIN auth_user u ON u.id = t.user_id`,
  "sentry.useroption": `SELECT t.id, u.username || ' ' || t.key AS nk
    FROM sentry_useroption t JOIN auth_user u ON u.id = t.user_id`,
  "sentry.userpermission": `SELECT t.id, u.username || ' ' || t.permission AS nk
    FROM sentry_userpermission t JOIN auth_user u ON u.id = t.user_id`,
  "sentry.userrole": `SELECT id, name AS nk FROM sentry_userrole`,
  "sentry.userroleuser": `SELECT t.id, u.username || ' ' || r.name AS nk
    FROM sentry_userrole_users t JOIN auth_user u ON u.id = t.user_id
    JOIN sentry_userrole r ON r.id = t.role_id`,
  "sentry.option": `SELECT id, key AS nk FROM sentry_option`,
  "sentry.controloption": `SELECT id, key AS nk FROM sentry_controloption`,
  "sentry.relay": `SELECT id, relay_id AS nk FROM sentry_relay`,
  "sentry.relayusage": `SELECT id, relay_id || ' ' || version AS nk FROM sentry_relayusage`,
  "sentry.apitoken": `SELECT t.id, u.username || ' ' || coalesce(t.name, '') || ' '
      || t.scope_list::text AS nk FROM sentry_apitoken t JOIN auth_user u ON u.id = t.user_id`,
  "sentry.apiauthorization": `SELECT t.id, u.username || ' ' || t.scope_list::text AS nk
    FROM sentry_apiauthorization t JOIN auth_user u ON u.id = t.user_id`,
};

const LEDGER_TABLES = [
  "sentry_regionimportchunk",
  "sentry_controlimportchunk",
  "sentry_controlimportchunkreplica",
] as const;

export type NaturalSnapshot = Readonly<Record<string, readonly string[]>>;

/**
 * The database by natural keys: the Sentry tables (see `SNAPSHOT_QUERIES`); the ledger rows with
 * their ordinals, source pks and which old pks each map holds; the pk map as `model old_pk kind
 * → natural key of the row it points at`. Two databases with the same snapshot hold the same
 * import, whatever ids their sequences handed out.
 */
export async function naturalSnapshot(db: Db): Promise<NaturalSnapshot> {
  const out: Record<string, string[]> = {};
  for (const [table, sql] of Object.entries(SNAPSHOT_QUERIES)) {
    const { rows } = await db.query<{ row: string }>(sql);
    out[table] = rows.map((r) => r.row).sort();
  }
  const natural = new Map<string, Map<string, string>>();
  for (const [model, sql] of Object.entries(NATURAL_KEYS)) {
    const { rows } = await db.query<{ id: string; nk: string }>(
      `SELECT id::text AS id, nk FROM (${sql}) AS x`,
    );
    natural.set(model, new Map(rows.map((r) => [r.id, r.nk])));
  }
  for (const table of LEDGER_TABLES) {
    const { rows } = await db.query<{ row: string }>(
      `SELECT jsonb_build_object(
         'import_uuid', import_uuid, 'model', model, 'min_ordinal', min_ordinal,
         'max_ordinal', max_ordinal, 'min_source_pk', min_source_pk, 'max_source_pk', max_source_pk,
         'inserted', (SELECT coalesce(jsonb_agg(k ORDER BY k::bigint), '[]') FROM jsonb_object_keys(inserted_map) k),
         'existing', (SELECT coalesce(jsonb_agg(k ORDER BY k::bigint), '[]') FROM jsonb_object_keys(existing_map) k),
         'overwrite', (SELECT coalesce(jsonb_agg(k ORDER BY k::bigint), '[]') FROM jsonb_object_keys(overwrite_map) k),
         'has_inserted_pks', min_inserted_pk IS NOT NULL AND max_inserted_pk IS NOT NULL
       )::text AS row FROM ${table}`,
    );
    out[table] = rows.map((r) => r.row).sort();
  }
  const { rows: mapped } = await db.query<{
    import_uuid: string;
    model: string;
    old_pk: string;
    new_pk: string;
    kind: string;
  }>(
    `SELECT import_uuid::text AS import_uuid, model, old_pk::text AS old_pk,
            new_pk::text AS new_pk, kind FROM sentry_import.pk_map`,
  );
  out["sentry_import.pk_map"] = mapped
    .map((r) => {
      const target = natural.get(r.model)?.get(r.new_pk) ?? `<dangling id ${r.new_pk}>`;
      return `${r.import_uuid} ${r.model} ${r.old_pk} ${r.kind} → ${target}`;
    })
    .sort();
  return out;
}

/**
 * Checks that the pk map and the ledger maps agree: every ledger entry of a model FKs point at
 * has a pk-map row with the same new pk and kind, and the other way round (other models have no
 * pk-map rows). Returns the disagreements (empty when none).
 */
export async function ledgerPkMapDisagreements(db: Db): Promise<string[]> {
  const mappedModels = CONFIG_MODELS.map((m) => m.name).filter(isForeignKeyTarget);
  const { rows } = await db.query<{ problem: string }>(
    `WITH ledger AS (
       SELECT c.import_uuid, c.model, e.key::bigint AS old_pk, e.value::text::bigint AS new_pk, m.kind
       FROM (SELECT * FROM sentry_regionimportchunk UNION ALL SELECT * FROM sentry_controlimportchunk) c
       CROSS JOIN LATERAL (VALUES ('Inserted', c.inserted_map), ('Existing', c.existing_map),
                                  ('Overwrite', c.overwrite_map)) AS m(kind, map)
       CROSS JOIN LATERAL jsonb_each(m.map) AS e
       WHERE c.model = ANY($1::text[])
     )
     SELECT 'ledger only: ' || l.model || ' ' || l.old_pk AS problem
     FROM ledger l LEFT JOIN sentry_import.pk_map p
       ON p.import_uuid = l.import_uuid AND p.model = l.model AND p.old_pk = l.old_pk
          AND p.new_pk = l.new_pk AND p.kind = l.kind
     WHERE p.model IS NULL
     UNION ALL
     SELECT 'pk map only: ' || p.model || ' ' || p.old_pk FROM sentry_import.pk_map p
     LEFT JOIN ledger l
       ON p.import_uuid = l.import_uuid AND p.model = l.model AND p.old_pk = l.old_pk
     WHERE l.model IS NULL`,
    [mappedModels],
  );
  return rows.map((r) => r.problem);
}

/** The rows of an export text, as the splitter and envelope would yield them (1-based positions). */
export function exportRows(text: string): ExportRow[] {
  const parsed = JSON.parse(text) as {
    model: string;
    pk: number;
    fields: Record<string, unknown>;
  }[];
  return parsed.map((row, i) => ({
    position: i + 1,
    model: toModelName(row.model),
    pk: row.pk,
    fields: row.fields,
  }));
}

/** The rows of `model`, renumbered as if the file held only that run. */
export function runOf(rows: readonly ExportRow[], model: string): ExportRow[] {
  return rows.filter((row) => row.model === model);
}

/** A re-openable source over fixed bytes, delivered in pieces of `pieceSize` bytes. */
export function bytesSource(content: string | Uint8Array, pieceSize = 64 * 1024): ByteSource {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return async function* source() {
    for (let offset = 0; offset < bytes.length; offset += pieceSize) {
      await Promise.resolve();
      yield bytes.subarray(offset, Math.min(bytes.length, offset + pieceSize));
    }
  };
}

export const DEFAULT_FLAGS: ImportFlags = {
  mergeUsers: false,
  overwriteConfigs: false,
  passwordMode: { kind: "unusable" },
};

/** A fixed "now", so two imports of the same data write the same dates. */
export const FIXED_NOW = "2026-01-02T03:04:05.000Z";

/** A chunk request for `rows` (all of one model), as the orchestrator would send it. */
export function chunkRequest(
  importUuid: ImportUuid,
  rows: readonly ExportRow[],
  options: {
    readonly model?: string;
    readonly minOrdinal?: number;
    /** models whose pk-map entries the chunk may use; default: none */
    readonly visibleModels?: readonly string[];
    readonly scope?: ImportScope | null;
    readonly flags?: ImportFlags;
    readonly filters?: ChunkFilters;
    readonly now?: string;
  } = {},
): ChunkRequest {
  const model = options.model ?? rows[0]?.model;
  if (model === undefined) {
    throw new Error("chunkRequest needs rows or a model");
  }
  return {
    importUuid,
    scope: options.scope === undefined ? "Config" : options.scope,
    model,
    minOrdinal: options.minOrdinal ?? 1,
    rows,
    visibleModels: (options.visibleModels ?? []).map((m): ModelName => toModelName(m)),
    flags: options.flags ?? DEFAULT_FLAGS,
    filters: options.filters ?? NO_FILTERS,
    now: options.now ?? FIXED_NOW,
  };
}
