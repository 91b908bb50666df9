/**
 * The CLI writes two user chunks at once when the plan pass found no collisions among the
 * file's users (lib/engine/userRunIndependence.ts, lib/engine/chunkWindow.ts). These tests hold
 * that to the in-order result (§6.3 rule 3): the same rows and ledger as an import that takes
 * one chunk at a time; a user that collides with one already in the database sends its chunk
 * back to go in order; a repeated username keeps the run in order; an address that users of
 * two chunks share keeps the first user's spelling, the earlier chunk creating it.
 */
import { describe, expect, it } from "vitest";
import type { ChunkImportOptions } from "../../../lib/engine/chunkImporter.ts";
import { USER } from "../../../lib/registry/names.ts";
import type { Db } from "../../../lib/ports.ts";
import { ADAPTER_KINDS, freshTestDatabases } from "../../support/db.ts";
import {
  count,
  importRows,
  importSource,
  ledger,
  row,
  rowsOf,
  userRow,
} from "../../support/engine.ts";
import type { RawRow } from "../../support/engine.ts";
import { snapshotByNaturalKeys } from "../../support/snapshot.ts";
import { bufferSource } from "../../../lib/format/byteSources.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

const SYNTHETIC = Buffer.from(generateExportText({ seed: "concurrent-users", users: 60 }), "utf8");

/** Watches the user chunks' transactions: how often each began, and whether two overlapped. */
function userChunkWatch(): {
  readonly chunkOptions: ChunkImportOptions;
  readonly starts: Map<number, number>;
  overlapped: () => boolean;
} {
  const starts = new Map<number, number>();
  const open = new Set<number>();
  let overlapped = false;
  return {
    starts,
    overlapped: () => overlapped,
    chunkOptions: {
      beforeStatement: (index, sql, chunk) => {
        if (chunk.model !== USER) {
          return;
        }
        if (index === 0) {
          starts.set(chunk.minOrdinal, (starts.get(chunk.minOrdinal) ?? 0) + 1);
          overlapped ||= open.size > 0;
          open.add(chunk.minOrdinal);
        }
        if (sql === "COMMIT") {
          open.delete(chunk.minOrdinal);
        }
      },
    },
  };
}

function users(count: number, email = (i: number) => `user-${String(i)}@example.com`): RawRow[] {
  return Array.from({ length: count }, (_, i) =>
    userRow(100 + i, `user-${String(i)}`, { email: email(i) }),
  );
}

async function usernames(db: Db): Promise<string[]> {
  const rows = await rowsOf<{ username: string }>(db, "SELECT username FROM auth_user ORDER BY id");
  return rows.map((r) => r.username);
}

describe.each(ADAPTER_KINDS)("user chunks written concurrently, on %s", (kind) => {
  const fresh = freshTestDatabases(kind);

  it("import what an in-order import imports, ledger included", async () => {
    const inOrder = await fresh();
    await importSource(inOrder.db, bufferSource(SYNTHETIC), { chunkSize: 4, concurrency: 1 });
    const concurrent = await fresh();
    const watch = userChunkWatch();
    await importSource(concurrent.db, bufferSource(SYNTHETIC), {
      chunkSize: 4,
      concurrency: 3,
      chunkOptions: watch.chunkOptions,
    });
    expect(await snapshotByNaturalKeys(concurrent.db)).toEqual(
      await snapshotByNaturalKeys(inOrder.db),
    );
    // PGlite has one connection: its transactions queue, so only Postgres really overlaps
    expect(watch.overlapped()).toBe(kind === "postgres");
  });

  it("send a chunk whose user collides with an existing one back to go in order", async () => {
    const { db } = await fresh();
    await importRows(db, [userRow(1, "User-7")]);
    const watch = userChunkWatch();
    await importRows(db, users(12), {
      chunkSize: 2,
      concurrency: 3,
      chunkOptions: watch.chunkOptions,
    });
    const names = await usernames(db);
    expect(names).toHaveLength(13);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(13);
    expect(names.filter((n) => /^user-7-[a-z0-9]{2}$/.test(n))).toHaveLength(1);
    expect(names).not.toContain("user-7");
    // the chunk of ordinals 7–8 (user-6, user-7) began twice: sent back, then in order
    expect(watch.starts.get(7)).toBe(2);
    const userLedger = (await ledger(db, "sentry_controlimportchunk")).filter(
      (e) => e.model === USER,
    );
    expect(userLedger.map((e) => e.minOrdinal).sort((a, b) => a - b)).toEqual([
      1, 1, 3, 5, 7, 9, 11,
    ]);
  });

  it("map a colliding user to the existing one with --merge-users, without going in order", async () => {
    const { db } = await fresh();
    await importRows(db, [userRow(1, "USER-3")]);
    const watch = userChunkWatch();
    await importRows(db, users(8), {
      chunkSize: 2,
      concurrency: 3,
      mergeUsers: true,
      chunkOptions: watch.chunkOptions,
    });
    const names = await usernames(db);
    expect(names).toHaveLength(8);
    expect(names).toContain("USER-3");
    expect(names).not.toContain("user-3");
    expect([...watch.starts.values()].every((n) => n === 1)).toBe(true);
  });

  it("keep the run in order when the file repeats a username in another case", async () => {
    const { db } = await fresh();
    const rows = [...users(6), userRow(200, "USER-1", { email: "again@example.com" })];
    const watch = userChunkWatch();
    await importRows(db, rows, { chunkSize: 2, concurrency: 3, chunkOptions: watch.chunkOptions });
    expect(watch.overlapped()).toBe(false);
    const names = await usernames(db);
    expect(names).toHaveLength(7);
    expect(names.filter((n) => /^USER-1-[a-z0-9]{2}$/.test(n))).toHaveLength(1);
  });

  it("keep the first spelling of an address that users of two chunks share", async () => {
    const { db } = await fresh();
    // chunk 1 (users 0–1) spells it first; chunks 2 and 3 spell it otherwise
    const spelled = (i: number): string =>
      i === 1
        ? "Shared@Example.com"
        : i === 3 || i === 5
          ? "shared@example.com"
          : `u${String(i)}@x.io`;
    await importRows(db, users(6, spelled), { chunkSize: 2, concurrency: 3 });
    const emails = await rowsOf<{ email: string }>(
      db,
      "SELECT email::text AS email FROM sentry_email WHERE lower(email::text) = 'shared@example.com'",
    );
    expect(emails).toEqual([{ email: "Shared@Example.com" }]);
    expect(await count(db, "sentry_useremail")).toBe(6);
  });

  it("skip a repeated global user option as an in-order import does", async () => {
    const option = (pk: number, user: number, key: string, value: string): RawRow =>
      row("sentry.useroption", pk, { user, key, value, project_id: null, organization_id: null });
    const rows = [
      ...users(4),
      option(1, 100, "timezone", '"UTC"'),
      option(2, 101, "timezone", '"UTC"'),
      option(3, 102, "language", '"en"'),
      option(4, 100, "timezone", '"Europe/Vienna"'),
      option(5, 103, "language", '"de"'),
    ];
    const inOrder = await fresh();
    await importRows(inOrder.db, rows, { chunkSize: 2, concurrency: 1 });
    const concurrent = await fresh();
    await importRows(concurrent.db, rows, { chunkSize: 2, concurrency: 3 });
    expect(await snapshotByNaturalKeys(concurrent.db)).toEqual(
      await snapshotByNaturalKeys(inOrder.db),
    );
    expect(await count(concurrent.db, "sentry_useroption")).toBe(4);
  });

  it("keep the run in order with --merge-users when users of two chunks share an address", async () => {
    const { db } = await fresh();
    // user-1 is merged into the existing USER-1 and creates no Email: user-3's must
    await importRows(db, [userRow(1, "USER-1", { email: "old@example.com" })]);
    const shared = (i: number): string =>
      i === 1 || i === 3 ? "Shared@x.io" : `u${String(i)}@x.io`;
    const watch = userChunkWatch();
    await importRows(db, users(6, shared), {
      chunkSize: 2,
      concurrency: 3,
      mergeUsers: true,
      chunkOptions: watch.chunkOptions,
    });
    expect(watch.overlapped()).toBe(false);
    expect(await count(db, "sentry_email", "email = 'shared@x.io'")).toBe(1);
  });
});
