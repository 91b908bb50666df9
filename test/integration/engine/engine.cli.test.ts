/**
 * The §18.1 and §18.10 items that are about `sentry-import config` as a command (an import uuid
 * is generated when none is given; integrity errors exit 1 with Sentry's hint; an unreadable
 * input exits 2), run in-process on both adapters: a Postgres database by URL, or an embedded
 * database in a data directory.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePgliteDatabase } from "../../../lib/adapters/pglite.ts";
import type { Database } from "../../../lib/ports.ts";
import { ADAPTER_KINDS, createPgTestDatabase } from "../../support/db.ts";
import type { AdapterKind, TestPgDatabase } from "../../support/db.ts";
import { count, row, rowsOf, truncateAll, userRow } from "../../support/engine.ts";
import type { RawRow } from "../../support/engine.ts";
import { run } from "../../unit/cli/runCli.ts";

/** Where the CLI writes, and a way to look at it afterwards. */
interface Target {
  readonly args: readonly string[];
  inspect<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

async function makeTarget(kind: AdapterKind, dir: string): Promise<Target> {
  if (kind === "postgres") {
    const database: TestPgDatabase = await createPgTestDatabase();
    return {
      args: ["--database-url", database.url],
      inspect: async (fn) => {
        const db = database.open();
        try {
          return await fn(db);
        } finally {
          await db.close();
        }
      },
      dispose: () => database.drop(),
    };
  }
  const dataDir = join(dir, "data");
  return {
    args: ["--data-dir", dataDir],
    inspect: async (fn) => {
      const db = await makePgliteDatabase({ dataDir });
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    },
    dispose: () => Promise.resolve(),
  };
}

describe.each(ADAPTER_KINDS)("sentry-import config (%s)", (kind) => {
  let dir: string;
  let target: Target;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "engine-cli-"));
    target = await makeTarget(kind, dir);
  });
  afterAll(async () => {
    await target.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function exportFile(name: string, rows: readonly RawRow[]): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(rows));
    return path;
  }

  it("generates an import uuid when none is supplied, shared by every ledger row of the import", async () => {
    await target.inspect(truncateAll);
    const src = await exportFile("generated-uuid.json", [
      row("sentry.option", 1, { key: "k", value: "v" }),
      userRow(1, "cli-user"),
      row("sentry.userpermission", 1, { user: 1, permission: "users.admin" }),
    ]);
    const result = await run(["config", src, "--silent", ...target.args]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const uuids = await target.inspect((db) =>
      rowsOf<{ u: string }>(
        db,
        `SELECT import_uuid::text AS u FROM sentry_regionimportchunk
         UNION SELECT import_uuid::text FROM sentry_controlimportchunk
         UNION SELECT import_uuid::text FROM sentry_controlimportchunkreplica`,
      ),
    );
    expect(uuids).toHaveLength(1);
    expect(uuids[0]?.u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await target.inspect((db) => count(db, "sentry_controlimportchunk"))).toBe(2);
  });

  it("reports a database integrity error as IntegrityError with the '>> Are you restoring from a backup of the same version of Sentry?' hint, and exits 1", async () => {
    await target.inspect(truncateAll);
    const src = await exportFile("integrity.json", [
      userRow(1, "dup-permission"),
      row("sentry.userpermission", 1, { user: 1, permission: "users.admin" }),
      row("sentry.userpermission", 2, { user: 1, permission: "users.admin" }),
    ]);
    const findings = join(dir, "findings.json");
    const result = await run(["config", src, "--findings-file", findings, ...target.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("IntegrityError");
    expect(result.stderr).toContain(
      ">> Are you restoring from a backup of the same version of Sentry?",
    );
    expect(JSON.parse(await readFile(findings, "utf8"))).toEqual([
      expect.objectContaining({
        kind: "IntegrityError",
        on: expect.objectContaining({ model: "sentry.userpermission" }) as unknown,
      }),
    ]);
  });

  it("exits 2 when the input path cannot be read", async () => {
    const result = await run(["config", join(dir, "does-not-exist.json"), ...target.args]);
    expect(result.code).toBe(2);
  });
});
