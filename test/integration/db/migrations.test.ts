import { afterEach, describe, expect, it } from "vitest";
import { SentryImportError } from "../../../lib/errors.ts";
import { MIGRATIONS, migrate } from "../../../lib/migrations/index.ts";
import type { Migration } from "../../../lib/migrations/index.ts";
import { ADAPTER_KINDS, createPgTestDatabase, openTestDatabase } from "../../support/db.ts";
import type { OpenedTestDatabase } from "../../support/db.ts";
import { catalogSnapshot, tablesIn } from "./catalog.ts";
import { SENTRY_SHAPED_DDL, SENTRY_SHAPED_TABLES } from "./sentryShapedTables.ts";

const EXPECTED_PUBLIC_TABLES = [
  "auth_user",
  "sentry_apiauthorization",
  "sentry_apitoken",
  "sentry_controlimportchunk",
  "sentry_controlimportchunkreplica",
  "sentry_controloption",
  "sentry_email",
  "sentry_lostpasswordhash",
  "sentry_option",
  "sentry_regionimportchunk",
  "sentry_relay",
  "sentry_relayusage",
  "sentry_useremail",
  "sentry_useroption",
  "sentry_userpermission",
  "sentry_userrole",
  "sentry_userrole_users",
];

describe.each(ADAPTER_KINDS)("migrations on %s", (kind) => {
  let opened: OpenedTestDatabase | undefined;

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  async function emptyDatabase(): Promise<OpenedTestDatabase> {
    opened = await openTestDatabase(kind, { migrated: false });
    return opened;
  }

  it("apply every migration to an empty database and create Sentry's tables and our own", async () => {
    const { db } = await emptyDatabase();

    const result = await migrate(db);

    expect(result.applied).toEqual(MIGRATIONS.map((migration) => migration.id));
    expect(result.latest).toBe(MIGRATIONS.length);
    expect(await tablesIn(db, "public")).toEqual(EXPECTED_PUBLIC_TABLES);
    expect(await tablesIn(db, "sentry_import")).toEqual(
      expect.arrayContaining(["import_run", "migrations", "owned_tables"]),
    );
    const { rows } = await db.query<{ id: number }>(
      "SELECT id FROM sentry_import.migrations ORDER BY id",
    );
    expect(rows.map((row) => row.id)).toEqual(result.applied);
  });

  it("are idempotent: a second run applies nothing and changes nothing", async () => {
    const { db } = await emptyDatabase();
    await migrate(db);
    const schemas = ["public", "sentry_import"];
    const before = await catalogSnapshot(db, { schemas });

    const again = await migrate(db);

    expect(again.applied).toEqual([]);
    expect(await catalogSnapshot(db, { schemas })).toEqual(before);
  });

  it("leave Sentry's existing tables exactly as they were, extra columns and names included", async () => {
    const { db } = await emptyDatabase();
    for (const statement of SENTRY_SHAPED_DDL) {
      await db.query(statement);
    }
    const snapshot = async (): Promise<string[]> =>
      catalogSnapshot(db, { schemas: ["public"], tables: SENTRY_SHAPED_TABLES });
    const before = await snapshot();

    await migrate(db);

    expect(await snapshot()).toEqual(before);
    // the missing tables were created, with no foreign key into Sentry's auth_user (whose
    // triggers the snapshot would otherwise show), and only they are recorded as ours
    expect(await tablesIn(db, "public")).toEqual(
      [...new Set([...EXPECTED_PUBLIC_TABLES, ...SENTRY_SHAPED_TABLES])].sort(),
    );
    const { rows } = await db.query<{ table_name: string }>(
      "SELECT table_name FROM sentry_import.owned_tables ORDER BY table_name",
    );
    const owned = rows.map((row) => row.table_name);
    expect(owned).toContain("sentry_userpermission");
    expect(owned).not.toContain("auth_user");
    expect(owned).not.toContain("sentry_controlimportchunk");
  });

  it("refuse a database where an applied migration differs from the code's", async () => {
    const { db } = await emptyDatabase();
    await migrate(db);
    const edited: Migration[] = MIGRATIONS.map((migration) =>
      migration.id === 1
        ? { ...migration, steps: [...migration.steps, { kind: "sql", sql: "SELECT 1" }] }
        : migration,
    );

    await expect(migrate(db, edited)).rejects.toSatisfy(
      (error) => error instanceof SentryImportError && error.code === "migration_mismatch",
    );
  });

  it("apply a newly appended migration on its own", async () => {
    const { db } = await emptyDatabase();
    await migrate(db);
    const next: Migration = {
      id: MIGRATIONS.length + 1,
      name: "test_appended",
      steps: [{ kind: "sql", sql: "CREATE TABLE IF NOT EXISTS sentry_import.appended (id int)" }],
    };

    const result = await migrate(db, [...MIGRATIONS, next]);

    expect(result.applied).toEqual([next.id]);
    expect(await tablesIn(db, "sentry_import")).toContain("appended");
  });
});

describe("migrations on postgres, concurrently", () => {
  it("two migrators starting together on an empty database both succeed, applying each migration once", async () => {
    const database = await createPgTestDatabase({ migrated: false });
    try {
      const [first, second] = await Promise.all([
        migrate(database.open()),
        migrate(database.open()),
      ]);

      expect([...first.applied, ...second.applied].sort((a, b) => a - b)).toEqual(
        MIGRATIONS.map((migration) => migration.id),
      );
      const { rows } = await database
        .open()
        .query<{ n: number }>("SELECT count(*) AS n FROM sentry_import.migrations");
      expect(rows[0]?.n).toBe(MIGRATIONS.length);
    } finally {
      await database.drop();
    }
  });
});
