/**
 * import-semantics.md §12.3 scenario 4, §18.9: two deliveries of one chunk at the same moment.
 * Exactly one writes; the other answers with the winner's ledger row (`alreadyImported` when it
 * looked after the winner committed, `lostRace` when it had already started), and the database
 * holds one set of rows. Real racing needs server Postgres with two connections; PGlite runs
 * the two one after the other, which still takes the re-check path.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makePgDatabase } from "../../../lib/adapters/pg/database.ts";
import type { PgDatabase } from "../../../lib/adapters/pg/database.ts";
import { importChunk } from "../../../lib/engine/chunkImporter.ts";
import type { ChunkImportOptions } from "../../../lib/engine/chunkImporter.ts";
import { writeLedgerRows } from "../../../lib/engine/sql/ledger.ts";
import type { ExportRow } from "../../../lib/export/envelope.ts";
import { importUuid, ledgerTablesFor } from "../../../lib/ledger/key.ts";
import type { ImportUuid } from "../../../lib/ledger/key.ts";
import { chunkResultFromRecords } from "../../../lib/ledger/result.ts";
import type { ChunkResult } from "../../../lib/ledger/result.ts";
import { ledgerRowOf } from "../../../lib/ledger/row.ts";
import type { ChunkOutcome } from "../../../lib/outcomes.ts";
import { newPk, oldPk } from "../../../lib/pkmap.ts";
import type { Database, Db } from "../../../lib/ports.ts";
import { USER } from "../../../lib/registry/names.ts";
import { createPgTestDatabase, openMemoryPglite } from "../../support/db.ts";
import type { TestPgDatabase } from "../../support/db.ts";
import {
  chunkRequest,
  exportRows,
  FIXED_NOW,
  naturalSnapshot,
  nonEmptyTables,
  resetDatabase,
  runOf,
  statementLog,
  tableCounts,
} from "../../support/faults.ts";
import type { NaturalSnapshot } from "../../support/faults.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

const ROUNDS = 50;

const USERS = runOf(
  exportRows(
    generateExportText({ seed: "at-least-once race", users: 8, sharedEmailFraction: 0.3 }),
  ),
  "sentry.user",
);
const UUID = importUuid(randomUUID());

function resultOf(outcome: ChunkOutcome): ChunkResult {
  if (!("result" in outcome)) {
    throw new Error(`expected a successful outcome, got ${JSON.stringify(outcome)}`);
  }
  return outcome.result;
}

async function deliver(
  database: Database,
  rows: readonly ExportRow[],
  options: ChunkImportOptions = {},
  uuid: ImportUuid = UUID,
): Promise<ChunkOutcome> {
  return importChunk(database, chunkRequest(uuid, rows), options);
}

/** Resolves when `open()` is called: a hook parks a delivery on it. */
function gate(): { readonly wait: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** Waits (without a fixed sleep) until some session waits for an advisory lock. */
async function untilWaitingForAdvisoryLock(observer: Db): Promise<void> {
  for (;;) {
    const { rows } = await observer.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks
       WHERE locktype = 'advisory' AND NOT granted AND database = (
         SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    if ((rows[0]?.n ?? 0) > 0) {
      return;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A ledger row for the user chunk as if another delivery had written it (ids made up). */
async function writeForeignWinner(other: Db, rows: readonly ExportRow[]): Promise<ChunkResult> {
  const result = chunkResultFromRecords({
    model: USER,
    minOrdinal: 1,
    records: rows.map((row, i) => ({
      oldPk: oldPk(row.pk),
      newPk: newPk(900_000 + i),
      kind: "Inserted" as const,
      slug: null,
    })),
  });
  const ledgerRow = ledgerRowOf(UUID, result);
  if (ledgerRow === null) {
    throw new Error("the winner recorded nothing");
  }
  await writeLedgerRows(other, ledgerTablesFor("Control"), ledgerRow, FIXED_NOW);
  return result;
}

describe("on postgres, with two connections", () => {
  let database: TestPgDatabase;
  /** the deliveries' pool: two connections at least, so they really run at the same time */
  let pool: PgDatabase;
  /** another process: observes, and plays the winner that does not take the lock */
  let other: PgDatabase;
  let reference: { counts: Record<string, number>; snapshot: NaturalSnapshot };

  beforeAll(async () => {
    database = await createPgTestDatabase();
    pool = makePgDatabase({ connectionString: database.url, max: 4 });
    other = database.open();
    const single = await deliver(pool, USERS);
    if (single.kind !== "imported") {
      throw new Error(`the reference delivery failed: ${JSON.stringify(single)}`);
    }
    reference = { counts: await tableCounts(pool), snapshot: await naturalSnapshot(pool) };
  });

  afterAll(async () => {
    await pool.close();
    await database.drop();
  });

  beforeEach(async () => {
    await resetDatabase(pool);
  });

  it(`returns the existing ledger row when a concurrent import wins (${String(ROUNDS)} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      await resetDatabase(pool);
      const [a, b] = await Promise.all([deliver(pool, USERS), deliver(pool, USERS)]);

      // which of the two loses, and how, depends on the interleaving: any of these is correct
      const kinds = [a.kind, b.kind].sort();
      expect(["alreadyImported+imported", "imported+lostRace"]).toContain(kinds.join("+"));
      expect(resultOf(a)).toEqual(resultOf(b));
      expect(await tableCounts(pool)).toEqual(reference.counts);
      expect(await naturalSnapshot(pool)).toEqual(reference.snapshot);
    }
  });

  it("returns the existing ledger row when a concurrent import wins while this one waits for the chunk's lock", async () => {
    const parked = gate();
    const release = gate();
    const first = deliver(pool, USERS, {
      beforeStatement: async (_index, sql) => {
        if (sql === "COMMIT") {
          parked.open();
          await release.wait;
        }
      },
    });
    await parked.wait;
    // the first delivery holds the chunk's lock and has written everything but not committed
    const second = deliver(pool, USERS);
    await untilWaitingForAdvisoryLock(other);
    release.open();

    const [won, lost] = await Promise.all([first, second]);

    expect(won.kind).toBe("imported");
    expect(lost.kind).toBe("lostRace");
    expect(resultOf(lost)).toEqual(resultOf(won));
    expect(await tableCounts(pool)).toEqual(reference.counts);
    expect(await naturalSnapshot(pool)).toEqual(reference.snapshot);
  });

  it("writes the chunk in the waiting delivery when the one holding the lock crashes", async () => {
    const parked = gate();
    const crash = gate();
    const first = deliver(pool, USERS, {
      beforeStatement: async (_index, sql) => {
        if (sql === "COMMIT") {
          parked.open();
          await crash.wait;
          throw new Error("the first delivery dies before its commit");
        }
      },
    });
    await parked.wait;
    const second = deliver(pool, USERS);
    await untilWaitingForAdvisoryLock(other);
    crash.open();

    const [died, took] = await Promise.all([first, second]);

    expect(died.kind).toBe("rejected");
    // under the lock the ledger is re-checked: still no row, so this delivery writes
    expect(took.kind).toBe("imported");
    expect(await tableCounts(pool)).toEqual(reference.counts);
    expect(await naturalSnapshot(pool)).toEqual(reference.snapshot);
  });

  it("returns the existing ledger row when it appears between the pre-check and the chunk's lock", async () => {
    let winner: ChunkResult | undefined;
    const outcome = await deliver(pool, USERS, {
      beforeStatement: async (index) => {
        if (index === 0) {
          winner = await writeForeignWinner(other, USERS);
        }
      },
    });

    expect(outcome.kind).toBe("lostRace");
    expect(resultOf(outcome)).toEqual(winner);
    // nothing of this delivery: only the winner's ledger row and replica
    expect(await nonEmptyTables(pool)).toEqual({
      "public.sentry_controlimportchunk": 1,
      "public.sentry_controlimportchunkreplica": 1,
    });
  });

  it("returns the existing ledger row when another writer commits it just before this one's ledger insert", async () => {
    const log = statementLog();
    await deliver(pool, USERS, { beforeStatement: log.hook });
    const ledgerInsert = log.statements.findIndex((sql) =>
      sql.includes('INSERT INTO "sentry_controlimportchunk"'),
    );
    expect(ledgerInsert).toBeGreaterThan(0);
    await resetDatabase(pool);

    let winner: ChunkResult | undefined;
    const outcome = await deliver(pool, USERS, {
      beforeStatement: async (index) => {
        if (index === ledgerInsert) {
          winner = await writeForeignWinner(other, USERS);
        }
      },
    });

    // the unique violation on the ledger key (23505) is the lost race; every row rolled back
    expect(outcome.kind).toBe("lostRace");
    expect(resultOf(outcome)).toEqual(winner);
    expect(await nonEmptyTables(pool)).toEqual({
      "public.sentry_controlimportchunk": 1,
      "public.sentry_controlimportchunkreplica": 1,
    });
  });

  it("reports a data collision with a concurrent writer as IntegrityError, not as a lost race", async () => {
    const log = statementLog();
    await deliver(pool, USERS, { beforeStatement: log.hook });
    const userInsert = log.statements.findIndex((sql) => sql.includes('INSERT INTO "auth_user"'));
    expect(userInsert).toBeGreaterThan(0);
    await resetDatabase(pool);

    // another writer takes the first username after this delivery looked the usernames up
    const outcome = await deliver(pool, USERS, {
      beforeStatement: async (index) => {
        if (index === userInsert) {
          await other.query(
            `INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active,
               is_unclaimed, is_superuser, is_managed, is_password_expired, date_joined, avatar_type)
             VALUES ('!', $1, '', '', false, true, false, false, false, false, now(), 0)`,
            [USERS[0]?.fields["username"]],
          );
        }
      },
    });

    expect(outcome).toMatchObject({ kind: "rejected", failure: { code: "IntegrityError" } });
    expect(await nonEmptyTables(pool)).toEqual({ "public.auth_user": 1 });
    // redelivered, the chunk sees the other user and suffixes its own
    await other.query("DELETE FROM auth_user");
    expect((await deliver(pool, USERS)).kind).toBe("imported");
  });

  it("writes once when many deliveries of the same chunk start together", async () => {
    const many = makePgDatabase({ connectionString: database.url, max: 8 });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, async () => deliver(many, USERS)),
      );

      expect(outcomes.filter((o) => o.kind === "imported")).toHaveLength(1);
      expect(
        outcomes.every((o) => ["imported", "alreadyImported", "lostRace"].includes(o.kind)),
      ).toBe(true);
      const results = outcomes.map(resultOf);
      for (const result of results) {
        expect(result).toEqual(results[0]);
      }
      expect(await tableCounts(pool)).toEqual(reference.counts);
    } finally {
      await many.close();
    }
  });
});

describe("on pglite, where deliveries are serialised", () => {
  let db: Database;

  beforeAll(async () => {
    db = await openMemoryPglite();
  });

  afterAll(async () => {
    await db.close();
  });

  it("returns the existing ledger row when a concurrent import wins", async () => {
    const single = await deliver(db, USERS);
    const counts = await tableCounts(db);
    const snapshot = await naturalSnapshot(db);
    await resetDatabase(db);

    const [first, second] = await Promise.all([deliver(db, USERS), deliver(db, USERS)]);

    // both pre-checks ran before either transaction: the second re-checks under the lock
    expect([first.kind, second.kind]).toEqual(["imported", "lostRace"]);
    expect(resultOf(second)).toEqual(resultOf(first));
    expect(resultOf(first).mappedPks).toHaveLength(resultOf(single).mappedPks.length);
    expect(await tableCounts(db)).toEqual(counts);
    expect(await naturalSnapshot(db)).toEqual(snapshot);
  });
});
