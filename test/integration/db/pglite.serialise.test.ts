import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../../lib/ports.ts";
import { openMemoryPglite } from "../../support/db.ts";

let db: Database;

beforeAll(async () => {
  db = await openMemoryPglite({ migrated: false });
  await db.query("CREATE TABLE events (seq serial PRIMARY KEY, label text NOT NULL)");
});

afterAll(async () => {
  await db.close();
});

function tick(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("PGlite, one connection", () => {
  it("runs concurrent transactions one after the other, never interleaved", async () => {
    const log: string[] = [];
    const transaction = async (name: string): Promise<number> =>
      db.withTransaction(async (tx) => {
        log.push(`${name} begin`);
        await tx.query("INSERT INTO events (label) VALUES ($1)", [`${name} first`]);
        await tick(20);
        await tx.query("INSERT INTO events (label) VALUES ($1)", [`${name} second`]);
        const { rows } = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM events");
        log.push(`${name} end`);
        return rows[0]?.n ?? -1;
      });

    const counts = await Promise.all([transaction("a"), transaction("b"), transaction("c")]);

    expect(log).toEqual(["a begin", "a end", "b begin", "b end", "c begin", "c end"]);
    // each saw exactly the rows committed before it plus its own
    expect(counts).toEqual([2, 4, 6]);
  });

  it("keeps a failed transaction's rollback from touching the next one", async () => {
    const failing = db.withTransaction(async (tx) => {
      await tx.query("INSERT INTO events (label) VALUES ('undone')");
      await tick(10);
      throw new Error("boom");
    });
    const following = db.withTransaction(async (tx) => {
      await tx.query("INSERT INTO events (label) VALUES ('kept')");
    });

    await expect(failing).rejects.toThrow("boom");
    await expect(following).resolves.toBeUndefined();
    const { rows } = await db.query<{ label: string }>(
      "SELECT label FROM events WHERE label IN ('undone', 'kept')",
    );
    expect(rows).toEqual([{ label: "kept" }]);
  });

  it("makes a statement on the outer handle wait for an open transaction", async () => {
    const writer = db.withTransaction(async (tx) => {
      await tx.query("INSERT INTO events (label) VALUES ('late')");
      await tick(20);
    });
    const reader = db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE label = 'late'",
    );

    await writer;
    expect((await reader).rows).toEqual([{ n: 1 }]);
  });

  it("refuses the outer handle inside a transaction instead of waiting forever", async () => {
    await expect(db.withTransaction(async () => db.query("SELECT 1"))).rejects.toThrow(
      /use the transaction's handle/u,
    );
    await expect(db.query("SELECT 1 AS ok")).resolves.toMatchObject({ rows: [{ ok: 1 }] });
  });
});
