/**
 * Databases for integration tests, on both adapters:
 * - Postgres: a database per test file, cloned from the run's migrated template
 *   (`test/integration/globalSetup.ts`) and dropped afterwards, or an empty one (`template0`)
 *   for migration tests;
 * - PGlite: a fresh in-memory instance, migrated or empty.
 *
 * Suites that must hold on both adapters are written once and parameterised:
 *
 *     describe.each(ADAPTER_KINDS)("%s", (kind) => {
 *       const db = withTestDatabase(kind);
 *       it("…", async () => { await db().query("SELECT 1"); });
 *     });
 */
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { makePgDatabase } from "../../lib/adapters/pg/database.ts";
import type { PgDatabase } from "../../lib/adapters/pg/database.ts";
import { makePgliteDatabase } from "../../lib/adapters/pglite.ts";
import { migrate } from "../../lib/migrations/index.ts";
import type { Database } from "../../lib/ports.ts";
import {
  adminDatabaseUrl,
  databaseUrlFor,
  randomDatabaseName,
} from "../integration/globalSetup.ts";

export { adminDatabaseUrl, databaseUrlFor };

export type AdapterKind = Database["kind"];
export const ADAPTER_KINDS: readonly AdapterKind[] = ["postgres", "pglite"];

export interface TestPgDatabase {
  readonly name: string;
  readonly url: string;
  /** Opens a new pool on the database; the caller closes it (`drop` closes the ones it made). */
  open(): PgDatabase;
  /** Closes the pools opened through `open` and drops the database. */
  drop(): Promise<void>;
}

/**
 * A new Postgres database: migrated (a clone of the run's template), or empty (`template0`,
 * with nothing of sentry-import in it).
 */
export async function createPgTestDatabase(
  options: { readonly migrated?: boolean } = {},
): Promise<TestPgDatabase> {
  const name = randomDatabaseName("t_");
  const template = options.migrated === false ? "template0" : inject("templateDatabase");
  await withAdmin(async (admin) => {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  });
  const url = databaseUrlFor(name);
  const opened: PgDatabase[] = [];
  return {
    name,
    url,
    open() {
      const db = makePgDatabase(url);
      opened.push(db);
      return db;
    },
    async drop() {
      await Promise.all(opened.map(async (db) => (db.pool.ended ? undefined : db.close())));
      await withAdmin(async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
    },
  };
}

/** A fresh in-memory PGlite, migrated unless asked otherwise. */
export async function openMemoryPglite(
  options: { readonly migrated?: boolean } = {},
): Promise<Database> {
  const db = await makePgliteDatabase();
  if (options.migrated !== false) {
    await migrate(db);
  }
  return db;
}

export interface OpenedTestDatabase {
  readonly db: Database;
  dispose(): Promise<void>;
}

/** A database of either kind, for the suites parameterised over both adapters. */
export async function openTestDatabase(
  kind: AdapterKind,
  options: { readonly migrated?: boolean } = {},
): Promise<OpenedTestDatabase> {
  if (kind === "pglite") {
    const db = await openMemoryPglite(options);
    return { db, dispose: async () => db.close() };
  }
  const database = await createPgTestDatabase(options);
  return { db: database.open(), dispose: async () => database.drop() };
}

/**
 * Registers an `afterEach` in the enclosing `describe`: the returned function opens a fresh
 * migrated database of `kind`, and every one it opened is gone after each test.
 */
export function freshTestDatabases(kind: AdapterKind): () => Promise<OpenedTestDatabase> {
  const opened: OpenedTestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.dispose()));
  });
  return async () => {
    const database = await openTestDatabase(kind);
    opened.push(database);
    return database;
  };
}

/**
 * Registers `beforeAll`/`afterAll` in the enclosing `describe` (or file): a migrated database of
 * `kind` for its tests, gone afterwards. Returns a getter, as the database exists only once the
 * hook ran.
 */
export function withTestDatabase(kind: AdapterKind = "postgres"): () => Database {
  let opened: OpenedTestDatabase | undefined;
  beforeAll(async () => {
    opened = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await opened?.dispose();
  });
  return () => {
    if (opened === undefined) {
      throw new Error("the test database exists only inside tests (after beforeAll)");
    }
    return opened.db;
  };
}

async function withAdmin(fn: (admin: PgDatabase) => Promise<void>): Promise<void> {
  const admin = makePgDatabase({ connectionString: adminDatabaseUrl(), max: 1 });
  try {
    await fn(admin);
  } finally {
    await admin.close();
  }
}
