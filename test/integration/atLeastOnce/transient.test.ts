/**
 * conventions.md §2 conventions 7 and 9: a transient database failure in the middle of a chunk
 * (the backend terminated, the statement cancelled, a deadlock) rolls the chunk back and ends in
 * `retry`; the next delivery writes it. Server Postgres only: PGlite runs in process, with no
 * backend to kill and no second session to deadlock with.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makePgDatabase } from "../../../lib/adapters/pg/database.ts";
import type { PgDatabase } from "../../../lib/adapters/pg/database.ts";
import { importChunk } from "../../../lib/engine/chunkImporter.ts";
import type { ChunkImportOptions } from "../../../lib/engine/chunkImporter.ts";
import { runImport } from "../../../lib/engine/runImport.ts";
import type { ImportProgress } from "../../../lib/engine/runImport.ts";
import { lockChunk } from "../../../lib/engine/sql/ledger.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import type { ChunkOutcome } from "../../../lib/outcomes.ts";
import type { Db } from "../../../lib/ports.ts";
import { USER } from "../../../lib/registry/names.ts";
import { createPgTestDatabase } from "../../support/db.ts";
import type { TestPgDatabase } from "../../support/db.ts";
import {
  bytesSource,
  chunkRequest,
  DEFAULT_FLAGS,
  exportRows,
  FIXED_NOW,
  naturalSnapshot,
  resetDatabase,
  runOf,
  statementLog,
  tableCounts,
} from "../../support/faults.ts";
import type { NaturalSnapshot } from "../../support/faults.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

const TEXT = generateExportText({ seed: "at-least-once transient", users: 9 });
const USERS = runOf(exportRows(TEXT), "sentry.user");
const UUID = importUuid(randomUUID());

let database: TestPgDatabase;
/** the deliveries' pool */
let pool: PgDatabase;
/** another session: kills, cancels, locks and observes */
let other: PgDatabase;
let reference: {
  counts: Record<string, number>;
  snapshot: NaturalSnapshot;
  statements: string[];
};

async function deliver(options: ChunkImportOptions = {}): Promise<ChunkOutcome> {
  return importChunk(pool, chunkRequest(UUID, USERS), options);
}

/** Polls a condition through the observer session (no fixed sleep: it waits for the state). */
async function until(condition: (db: Db) => Promise<boolean>): Promise<void> {
  while (!(await condition(other))) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The backend of the one delivery in progress: idle in its transaction while the hook runs. */
async function deliveryBackend(): Promise<number> {
  const { rows } = await other.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
     WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()`,
  );
  if (rows.length !== 1 || rows[0] === undefined) {
    throw new Error(`expected one open transaction, found ${String(rows.length)}`);
  }
  return rows[0].pid;
}

async function terminate(pid: number): Promise<void> {
  await other.query("SELECT pg_terminate_backend($1)", [pid]);
  await until(async (db) => {
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1",
      [pid],
    );
    return rows[0]?.n === 0;
  });
}

async function waitingForLock(db: Db, pid: number): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_locks WHERE pid = $1 AND NOT granted",
    [pid],
  );
  return (rows[0]?.n ?? 0) > 0;
}

function indexOf(fragment: string): number {
  const index = reference.statements.findIndex((sql) => sql.includes(fragment));
  if (index < 0) {
    throw new Error(`no statement contains ${fragment}`);
  }
  return index;
}

beforeAll(async () => {
  database = await createPgTestDatabase();
  pool = makePgDatabase({ connectionString: database.url, max: 2 });
  other = database.open();
  const log = statementLog();
  const single = await deliver({ beforeStatement: log.hook });
  if (single.kind !== "imported") {
    throw new Error(`the reference delivery failed: ${JSON.stringify(single)}`);
  }
  reference = {
    counts: await tableCounts(pool),
    snapshot: await naturalSnapshot(pool),
    statements: log.statements,
  };
});

afterAll(async () => {
  await pool.close();
  await database.drop();
});

beforeEach(async () => {
  await resetDatabase(other);
});

describe("a transient database failure in the middle of a chunk", () => {
  it("ends in retry when the backend is terminated before any statement, and succeeds on the next delivery", async () => {
    for (let index = 0; index < reference.statements.length; index += 1) {
      await resetDatabase(other);
      const before = await tableCounts(other);

      const outcome = await deliver({
        beforeStatement: async (i) => {
          if (i === index) {
            await terminate(await deliveryBackend());
          }
        },
      });

      expect({ index, kind: outcome.kind }).toEqual({ index, kind: "retry" });
      expect(await tableCounts(other)).toEqual(before);
      expect((await deliver()).kind).toBe("imported");
      expect(await naturalSnapshot(other)).toEqual(reference.snapshot);
    }
  });

  it("ends in retry when a statement is cancelled, and succeeds on the next delivery", async () => {
    // a table the transaction has not touched yet: locking one it read would wait for it
    const hashInsert = indexOf('INSERT INTO "sentry_lostpasswordhash"');
    const locker = makePgDatabase({ connectionString: database.url, max: 1 });
    try {
      const outcome = await locker.withTransaction(async (lockTx) => {
        let delivery: Promise<ChunkOutcome> | undefined;
        const locked = new Promise<void>((resolveLocked) => {
          delivery = deliver({
            beforeStatement: async (i) => {
              if (i === hashInsert) {
                await lockTx.query("LOCK TABLE sentry_lostpasswordhash IN ACCESS EXCLUSIVE MODE");
                resolveLocked();
              }
            },
          });
        });
        await locked;
        const pid = await deliveryBackendWaiting();
        await other.query("SELECT pg_cancel_backend($1)", [pid]);
        if (delivery === undefined) {
          throw new Error("no delivery");
        }
        return delivery;
      });

      expect(outcome.kind).toBe("retry");
      expect(await tableCounts(other)).toEqual(await emptyCounts());
      expect((await deliver()).kind).toBe("imported");
      expect(await naturalSnapshot(other)).toEqual(reference.snapshot);
    } finally {
      await locker.close();
    }
  });

  it("ends in retry when it is chosen as a deadlock victim, and succeeds on the next delivery", async () => {
    const hashInsert = indexOf('INSERT INTO "sentry_lostpasswordhash"');
    const rival = makePgDatabase({ connectionString: database.url, max: 1 });
    try {
      let rivalDone: Promise<void> | undefined;
      const outcome = await deliver({
        beforeStatement: async (i) => {
          if (i !== hashInsert) {
            return;
          }
          // the rival takes a table the delivery needs next, then waits for the chunk's lock
          // the delivery holds: a cycle. The delivery waits first, so its deadlock check runs
          // first (the rival's is pushed far out) and it is the one rolled back.
          let tableLocked = (): void => undefined;
          const locked = new Promise<void>((resolve) => {
            tableLocked = resolve;
          });
          rivalDone = rival.withTransaction(async (tx) => {
            await tx.query("SET LOCAL deadlock_timeout = '60s'");
            await tx.query("LOCK TABLE sentry_lostpasswordhash IN ACCESS EXCLUSIVE MODE");
            tableLocked();
            const pid = await deliveryBackendWaiting();
            expect(pid).toBeGreaterThan(0);
            await lockChunk(tx, { importUuid: UUID, model: USER, minOrdinal: 1 });
          });
          await locked;
        },
      });
      await rivalDone;

      expect(outcome.kind).toBe("retry");
      expect(outcome).toMatchObject({ reason: expect.stringContaining("deadlock") as unknown });
      expect(await tableCounts(other)).toEqual(await emptyCounts());
      expect((await deliver()).kind).toBe("imported");
      expect(await naturalSnapshot(other)).toEqual(reference.snapshot);
    } finally {
      await rival.close();
    }
  });

  it("lets runImport retry a chunk whose backend was terminated, and complete the import", async () => {
    await resetDatabase(other);
    const source = bytesSource(TEXT);
    const settings = {
      scope: "Config" as const,
      chunkSize: 4,
      flags: DEFAULT_FLAGS,
      usernameFilter: null,
    };
    const clean = await runImport(pool, source, {
      importUuid: importUuid(randomUUID()),
      settings,
      concurrency: 1,
      dryRun: false,
      now: FIXED_NOW,
    });
    const cleanCounts = await tableCounts(other);
    await resetDatabase(other);

    let transactions = 0;
    let killed = 0;
    const events: ImportProgress[] = [];
    const report = await runImport(pool, source, {
      importUuid: importUuid(randomUUID()),
      settings,
      concurrency: 1,
      dryRun: false,
      now: FIXED_NOW,
      retryAttempts: 3,
      onProgress: (event) => events.push(event),
      chunkOptions: {
        beforeStatement: async (index) => {
          transactions += index === 0 ? 1 : 0;
          // kill the 4th and the 9th transaction half-way, once each
          if ((transactions === 4 || transactions === 9) && index === 3) {
            killed += 1;
            await terminate(await deliveryBackend());
          }
        },
      },
    });

    expect(killed).toBe(2);
    expect(report.summary).toEqual(clean.summary);
    expect(await tableCounts(other)).toEqual(cleanCounts);
    // the retried chunks report once, with the outcome of the attempt that succeeded
    expect(events.filter((e) => e.kind === "chunk")).toHaveLength(
      clean.plan.runs.reduce((n, run) => n + run.chunks.length, 0),
    );
  });
});

/** The delivery's backend once it waits for a lock (its statement is blocked). */
async function deliveryBackendWaiting(): Promise<number> {
  let pid = 0;
  await until(async (db) => {
    const { rows } = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "sentry_lostpasswordhash"%'`,
    );
    pid = rows[0]?.pid ?? 0;
    return pid !== 0 && (await waitingForLock(db, pid));
  });
  return pid;
}

async function emptyCounts(): Promise<Record<string, number>> {
  const counts = await tableCounts(other);
  return Object.fromEntries(Object.keys(counts).map((table) => [table, 0]));
}
