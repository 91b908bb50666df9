import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../lib/adapters/database.ts";
import { UsageError } from "../../../lib/errors.ts";
import { migrate } from "../../../lib/migrations/index.ts";
import { createPgTestDatabase } from "../../support/db.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sentry-import-pglite-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openDatabase", () => {
  it("opens server Postgres when a URL is given", async () => {
    const database = await createPgTestDatabase();
    try {
      const db = await openDatabase({ databaseUrl: database.url, dataDir: dir });
      try {
        expect(db.kind).toBe("postgres");
        await expect(db.query("SELECT count(*) AS n FROM auth_user")).resolves.toMatchObject({
          rows: [{ n: 0 }],
        });
      } finally {
        await db.close();
      }
    } finally {
      await database.drop();
    }
  });

  it("closes idempotently on both adapters", async () => {
    const database = await createPgTestDatabase();
    try {
      for (const db of [
        await openDatabase({ databaseUrl: database.url }),
        await openDatabase({ dataDir: join(dir, "closed-twice") }),
      ]) {
        await db.query("SELECT 1");
        await db.close();
        await expect(db.close()).resolves.toBeUndefined();
      }
    } finally {
      await database.drop();
    }
  });

  it("keeps a PGlite database in its directory across close and reopen", async () => {
    const first = await openDatabase({ dataDir: join(dir, "kept") });
    expect(first.kind).toBe("pglite");
    await migrate(first);
    await first.query(
      "INSERT INTO sentry_option (key, last_updated, last_updated_by, value) VALUES ('k', now(), 'unknown', '1')",
    );
    await first.close();

    const again = await openDatabase({ dataDir: join(dir, "kept") });
    try {
      expect((await migrate(again)).applied).toEqual([]);
      await expect(again.query("SELECT key FROM sentry_option")).resolves.toMatchObject({
        rows: [{ key: "k" }],
      });
    } finally {
      await again.close();
    }
  });

  it("refuses a PGlite directory another instance holds, and frees it on close", async () => {
    const path = join(dir, "locked");
    const holder = await openDatabase({ dataDir: path });

    await expect(openDatabase({ dataDir: path })).rejects.toBeInstanceOf(UsageError);
    await holder.close();
    const next = await openDatabase({ dataDir: path });
    await next.close();
  });

  it("takes over a lock left by a process that no longer exists", async () => {
    const path = join(dir, "stale");
    await (await openDatabase({ dataDir: path })).close();
    // the largest pid Linux hands out is 2^22; this one cannot be running
    await writeFile(join(path, "sentry-import.lock"), "4194305\n");

    const db = await openDatabase({ dataDir: path });
    try {
      expect(await readFile(join(path, "sentry-import.lock"), "utf8")).toBe(`${process.pid}\n`);
    } finally {
      await db.close();
    }
  });
});
