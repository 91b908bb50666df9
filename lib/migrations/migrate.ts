/**
 * Applies the pending migrations, in order, in one transaction.
 *
 * Concurrency: every migrator first takes a transaction-scoped advisory lock, so two processes
 * starting on the same empty database (two Cloud Function instances, two CLI runs) apply the
 * migrations once: the second waits, then finds them recorded. A clash the lock cannot prevent
 * (another tool creating the same object at the same moment) fails with a "someone else created
 * it" code (classified `duplicate`); the attempt is then retried, and the `IF NOT EXISTS`
 * statements find the object. Deadlocks and lost connections (`retryable`) are retried too.
 */
import { createHash } from "node:crypto";
import { DbError, SentryImportError } from "../errors.ts";
import type { Database, Db } from "../ports.ts";
import { MIGRATIONS } from "./list.ts";
import type { Migration, MigrationStep } from "./types.ts";

/** An arbitrary constant, the same in every version: the lock guards the migrations table. */
const MIGRATION_LOCK_KEY = 0x5345_4e54_5259; // "SENTRY"
const MAX_ATTEMPTS = 5;

/** Created before anything else, so migration 1 can already be recorded. */
const BOOTSTRAP = [
  "CREATE SCHEMA IF NOT EXISTS sentry_import",
  `CREATE TABLE IF NOT EXISTS sentry_import.migrations (
    id integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`,
  // The tables sentry-import created, as opposed to ones it found (Sentry's): only between
  // these may a migration add foreign keys (see `whenOwned`).
  `CREATE TABLE IF NOT EXISTS sentry_import.owned_tables (
    table_name text PRIMARY KEY,
    migration_id integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
];

export interface MigrateResult {
  /** Ids applied by this call, in order; empty when the database was up to date. */
  readonly applied: readonly number[];
  /** The highest id recorded in the database; above the code's own when a newer version ran. */
  readonly latest: number;
}

export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrateResult> {
  assertOrdered(migrations);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.withTransaction(async (tx) => migrateOnce(tx, migrations));
    } catch (thrown) {
      const again =
        thrown instanceof DbError &&
        (thrown.classification === "duplicate" || thrown.classification === "retryable");
      if (!again || attempt >= MAX_ATTEMPTS) {
        throw thrown;
      }
    }
  }
}

async function migrateOnce(tx: Db, migrations: readonly Migration[]): Promise<MigrateResult> {
  await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
  for (const statement of BOOTSTRAP) {
    await tx.query(statement);
  }
  const { rows } = await tx.query<{ id: number; checksum: string }>(
    "SELECT id, checksum FROM sentry_import.migrations ORDER BY id",
  );
  const recorded = new Map(rows.map((row) => [row.id, row.checksum]));
  const applied: number[] = [];
  for (const migration of migrations) {
    const checksum = checksumOf(migration);
    const previous = recorded.get(migration.id);
    if (previous !== undefined) {
      if (previous !== checksum) {
        throw new SentryImportError(
          "migration_mismatch",
          `migration ${migration.id} (${migration.name}) differs from the one applied to this ` +
            "database; applied migrations must never be edited, add a new one instead",
          { context: { id: migration.id, recorded: previous, code: checksum } },
        );
      }
      continue;
    }
    for (const step of migration.steps) {
      await runStep(tx, migration.id, step);
    }
    await tx.query(
      "INSERT INTO sentry_import.migrations (id, name, checksum) VALUES ($1, $2, $3)",
      [migration.id, migration.name, checksum],
    );
    applied.push(migration.id);
  }
  const latest = Math.max(0, ...recorded.keys(), ...applied);
  return { applied, latest };
}

async function runStep(tx: Db, migrationId: number, step: MigrationStep): Promise<void> {
  switch (step.kind) {
    case "sql":
      await tx.query(step.sql);
      return;
    case "createTable": {
      const { rows } = await tx.query<{ present: boolean }>(
        "SELECT to_regclass($1::text) IS NOT NULL AS present",
        [step.table],
      );
      if (rows[0]?.present === true) {
        return;
      }
      for (const statement of step.statements) {
        await tx.query(statement);
      }
      await tx.query(
        "INSERT INTO sentry_import.owned_tables (table_name, migration_id) VALUES ($1, $2)",
        [step.table, migrationId],
      );
      return;
    }
    case "whenOwned": {
      const { rows } = await tx.query<{ owned: number }>(
        "SELECT count(*) AS owned FROM sentry_import.owned_tables WHERE table_name = ANY($1::text[])",
        [step.tables],
      );
      if (rows[0]?.owned === new Set(step.tables).size) {
        await tx.query(step.sql);
      }
      return;
    }
  }
}

/** Over the statements and their conditions, so any edit to a shipped migration is noticed. */
function checksumOf(migration: Migration): string {
  return createHash("sha256").update(JSON.stringify(migration.steps)).digest("hex");
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.id !== index + 1) {
      throw new Error(
        `migration ids must be 1, 2, 3, … in list order; found ${migration.id} at ${index + 1}`,
      );
    }
  });
}
