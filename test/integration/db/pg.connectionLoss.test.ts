import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePgDatabase } from "../../../lib/adapters/pg/database.ts";
import type { PgDatabase } from "../../../lib/adapters/pg/database.ts";
import { DbError } from "../../../lib/errors.ts";
import type { Db } from "../../../lib/ports.ts";
import { createPgTestDatabase } from "../../support/db.ts";
import type { TestPgDatabase } from "../../support/db.ts";

let database: TestPgDatabase;
/** A separate pool that does the killing, so the victim's pool is only ever the victim. */
let killer: PgDatabase;

beforeAll(async () => {
  database = await createPgTestDatabase();
  killer = database.open();
});

afterAll(async () => {
  await database.drop();
});

async function backendPid(db: Db): Promise<number> {
  const { rows } = await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const pid = rows[0]?.pid;
  if (pid === undefined) {
    throw new Error("no pid");
  }
  return pid;
}

/** Terminates a backend and waits until it is gone (no fixed sleep). */
async function terminate(pid: number): Promise<void> {
  await killer.query("SELECT pg_terminate_backend($1)", [pid]);
  for (let i = 0; i < 200; i += 1) {
    const { rows } = await killer.query<{ n: number }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1",
      [pid],
    );
    if (rows[0]?.n === 0) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`backend ${pid} still alive`);
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("a Postgres connection lost mid-transaction", () => {
  it("fails the transaction as retryable and evicts the broken client from the pool", async () => {
    const db = database.open();
    let victim = 0;

    const error = await db
      .withTransaction(async (tx) => {
        victim = await backendPid(tx);
        await terminate(victim);
        await tx.query("SELECT 1");
      })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

    expect(error).toBeInstanceOf(DbError);
    expect(error).toMatchObject({ classification: "retryable" });
    expect(db.pool.totalCount).toBe(0);
    // the next transaction gets a new, working connection
    const next = await db.withTransaction(async (tx) => backendPid(tx));
    expect(next).not.toBe(victim);
  });

  it("reports an idle pooled connection's death to onIdleError instead of crashing", async () => {
    const errors: DbError[] = [];
    const db = makePgDatabase({
      connectionString: database.url,
      onIdleError: (error) => errors.push(error),
    });
    try {
      const pid = await backendPid(db);
      expect(db.pool.idleCount).toBe(1);

      await terminate(pid);
      await until(() => errors.length > 0);

      expect(errors[0]).toMatchObject({ classification: "retryable" });
      expect(db.pool.totalCount).toBe(0);
      expect(await backendPid(db)).not.toBe(pid);
    } finally {
      await db.close();
    }
  });

  it("classifies a connection refused as retryable", async () => {
    const url = new URL(database.url);
    url.port = "1";
    const db = makePgDatabase({ connectionString: url.toString(), connectionTimeoutMillis: 2_000 });
    try {
      await expect(db.query("SELECT 1")).rejects.toMatchObject({ classification: "retryable" });
      await expect(db.withTransaction(async (tx) => tx.query("SELECT 1"))).rejects.toMatchObject({
        classification: "retryable",
      });
    } finally {
      await db.close();
    }
  });

  it("classifies a statement timeout (57014) as retryable", async () => {
    const db = database.open();
    const error = await db
      .withTransaction(async (tx) => {
        await tx.query("SET LOCAL statement_timeout = 50");
        await tx.query("SELECT pg_sleep(5)");
      })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

    expect(error).toMatchObject({ classification: "retryable", sqlstate: "57014" });
  });
});
