/**
 * §18.8 and §18.13 (h) end to end over the pure parts: plan the file, import chunk by chunk
 * through the idempotent protocol, and rebuild each run's pk map from the ledger rows of the
 * related earlier runs, as the serverless path does. The "database" is an in-memory table.
 */
import { describe, expect, it } from "vitest";
import { importUuid } from "../../../lib/ledger/key.ts";
import type { LedgerKey } from "../../../lib/ledger/key.ts";
import { importChunkOnce, ledgerKeyViolationOn } from "../../../lib/ledger/protocol.ts";
import { chunkResultFromRecords } from "../../../lib/ledger/result.ts";
import type { RecordedRow } from "../../../lib/ledger/result.ts";
import { pkMapFromLedgerRows } from "../../../lib/ledger/row.ts";
import type { ProtocolOutcome } from "../../../lib/ledger/protocol.ts";
import { newPk, oldPk } from "../../../lib/pkmap.ts";
import type { NewPk } from "../../../lib/pkmap.ts";
import { buildPlan, runsByLevel } from "../../../lib/planner/plan.ts";
import { detectRuns } from "../../../lib/planner/runs.ts";
import { toModelName } from "../../../lib/registry/types.ts";
import { classifyDouble, relatedDouble } from "../planner/doubles.ts";
import { MemoryLedger, TABLE } from "./memoryLedger.ts";

const USER = toModelName("sentry.user");
const USER_OPTION = toModelName("sentry.useroption");
const IMPORT_UUID = importUuid("1e4f2a6b-3c5d-4e7f-8a9b-0c1d2e3f4a5b");

interface FileRow {
  readonly model: string;
  readonly pk: number;
  readonly user?: number;
}

/** n users with pks 101…, then n user options with pks 1001…, option i belonging to user i. */
function usersAndOptions(n: number): FileRow[] {
  const users = Array.from({ length: n }, (_, i) => ({ model: "sentry.user", pk: 101 + i }));
  const options = Array.from({ length: n }, (_, i) => ({
    model: "sentry.useroption",
    pk: 1001 + i,
    user: 101 + i,
  }));
  return [...users, ...options];
}

class FakeDatabase {
  readonly ledger = new MemoryLedger();
  /** user options as written: new id → user_id */
  readonly userOptions = new Map<NewPk, NewPk>();
  #nextId = 500;

  nextId(): NewPk {
    this.#nextId += 1;
    return newPk(this.#nextId);
  }
}

async function runImport(
  file: readonly FileRow[],
  chunkSize: number,
  db: FakeDatabase,
): Promise<ProtocolOutcome[]> {
  const plan = buildPlan({
    importUuid: IMPORT_UUID,
    scope: "Config",
    chunkSize,
    runs: detectRuns(file.map((row) => row.model)),
    classify: classifyDouble,
    related: relatedDouble,
  });
  const outcomes: ProtocolOutcome[] = [];
  for (const level of runsByLevel(plan)) {
    for (const run of level) {
      // §11.2: the pk map of the related, already-completed runs, rebuilt from their ledger rows
      const earlier = [...db.ledger.rows.values()].filter(
        (row) => relatedDouble(run.model, row.model) || relatedDouble(row.model, run.model),
      );
      const visible = pkMapFromLedgerRows(earlier);
      for (const chunk of run.chunks) {
        const key: LedgerKey = {
          importUuid: IMPORT_UUID,
          model: run.model,
          minOrdinal: chunk.minOrdinal,
        };
        const rows = file.slice(chunk.firstPosition - 1, chunk.lastPosition);
        const outcome = await importChunkOnce(key, {
          findLedgerRow: (k) => db.ledger.find(k),
          writeChunk: (k) => {
            const records: RecordedRow[] = [];
            const options = new Map<NewPk, NewPk>();
            for (const row of rows) {
              let userId: NewPk | null = null;
              if (row.user !== undefined) {
                userId = visible.getPk(USER, oldPk(row.user));
                if (userId === null) {
                  continue; // §11.3: a missing reference skips the row
                }
              }
              const id = db.nextId();
              if (userId !== null) {
                options.set(id, userId);
              }
              records.push({ oldPk: oldPk(row.pk), newPk: id, kind: "Inserted", slug: null });
            }
            const result = db.ledger.commit(k, chunkResultFromRecords({ ...k, records }));
            options.forEach((user, id) => db.userOptions.set(id, user)); // committed
            return Promise.resolve(result);
          },
          isLedgerKeyViolation: ledgerKeyViolationOn(TABLE),
        });
        outcomes.push(outcome);
      }
    }
  }
  return outcomes;
}

function ledgerSummary(db: FakeDatabase) {
  return [...db.ledger.rows.values()].map((row) => [
    row.model,
    row.min_ordinal,
    row.max_ordinal,
    row.min_source_pk,
    row.max_source_pk,
  ]);
}

describe("chunking and the pk map across chunks", () => {
  it("gives 40 users + 40 user options (chunk size 20) exactly 2 ledger rows per model", async () => {
    const db = new FakeDatabase();
    await runImport(usersAndOptions(40), 20, db);
    expect(ledgerSummary(db)).toEqual([
      ["sentry.user", 1, 20, 101, 120],
      ["sentry.user", 21, 40, 121, 140],
      ["sentry.useroption", 1, 20, 1001, 1020],
      ["sentry.useroption", 21, 40, 1021, 1040],
    ]);
  });

  it("keeps an option in the second chunk pointing at the right user", async () => {
    const db = new FakeDatabase();
    await runImport(usersAndOptions(40), 20, db);
    const rows = [...db.ledger.rows.values()];
    const users = pkMapFromLedgerRows(rows.filter((row) => row.model === USER));
    const options = pkMapFromLedgerRows(rows.filter((row) => row.model === USER_OPTION));
    const option1035 = options.getPk(USER_OPTION, oldPk(1035));
    expect(option1035).not.toBeNull();
    expect(db.userOptions.get(option1035 ?? newPk(1))).toBe(users.getPk(USER, oldPk(135)));
    expect(db.userOptions.size).toBe(40);
  });

  it("gives 21 users + 21 user options 2 ledger rows per model: 1–20 and 21–21", async () => {
    const db = new FakeDatabase();
    await runImport(usersAndOptions(21), 20, db);
    expect(ledgerSummary(db)).toEqual([
      ["sentry.user", 1, 20, 101, 120],
      ["sentry.user", 21, 21, 121, 121],
      ["sentry.useroption", 1, 20, 1001, 1020],
      ["sentry.useroption", 21, 21, 1021, 1021],
    ]);
  });

  it("skips an option whose user is not in the file without an error or an ordinal", async () => {
    const db = new FakeDatabase();
    const file = usersAndOptions(3).map((row) => (row.pk === 1002 ? { ...row, user: 999 } : row));
    const outcomes = await runImport(file, 20, db);
    expect(outcomes.map((o) => o.kind)).toEqual(["imported", "imported"]);
    expect(ledgerSummary(db)).toContainEqual(["sentry.useroption", 1, 2, 1001, 1003]);
  });

  it("(h) with chunk size 1000 writes ledger rows at 1, 1001 and 2001; re-running writes nothing new", async () => {
    const db = new FakeDatabase();
    const file = Array.from({ length: 2500 }, (_, i) => ({ model: "sentry.option", pk: i + 1 }));
    const first = await runImport(file, 1000, db);
    expect(first.map((o) => o.kind)).toEqual(["imported", "imported", "imported"]);
    expect(ledgerSummary(db)).toEqual([
      ["sentry.option", 1, 1000, 1, 1000],
      ["sentry.option", 1001, 2000, 1001, 2000],
      ["sentry.option", 2001, 2500, 2001, 2500],
    ]);
    const transactions = db.ledger.transactions;
    const again = await runImport(file, 1000, db);
    expect(again.map((o) => o.kind)).toEqual([
      "alreadyImported",
      "alreadyImported",
      "alreadyImported",
    ]);
    expect(db.ledger.transactions).toBe(transactions);
    expect(db.ledger.rows.size).toBe(3);
  });
});
