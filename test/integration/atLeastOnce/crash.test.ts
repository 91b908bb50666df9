/**
 * import-semantics.md §12.3 scenario 1, §17: a delivery that dies part-way leaves nothing of its
 * chunk, whichever statement it died before, and the redelivery then writes the chunk as if the
 * crash had never happened. The crash is a throw from `beforeStatement`: before each statement
 * of the chunk's transaction, and before its COMMIT (after the ledger and pk-map rows).
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { importChunk } from "../../../lib/engine/chunkImporter.ts";
import type { ChunkImportOptions } from "../../../lib/engine/chunkImporter.ts";
import type { ExportRow } from "../../../lib/export/envelope.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import type { ChunkOutcome } from "../../../lib/outcomes.ts";
import type { Database } from "../../../lib/ports.ts";
import { ADAPTER_KINDS, withTestDatabase } from "../../support/db.ts";
import {
  chunkRequest,
  crashBefore,
  exportRows,
  InjectedCrash,
  ledgerPkMapDisagreements,
  naturalSnapshot,
  resetDatabase,
  runOf,
  statementLog,
  tableCounts,
} from "../../support/faults.ts";
import type { NaturalSnapshot } from "../../support/faults.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

/** Users sharing addresses (also in other letter case), with secondary addresses. */
const ROWS = exportRows(
  generateExportText({
    seed: "at-least-once crash",
    users: 10,
    sharedEmailFraction: 0.4,
    caseVariantFraction: 0.5,
    secondaryEmailFraction: 0.6,
  }),
);
const USERS = runOf(ROWS, "sentry.user");
const USER_EMAILS = runOf(ROWS, "sentry.useremail");
const UUID = importUuid(randomUUID());

async function deliverUsers(db: Database, options?: ChunkImportOptions): Promise<ChunkOutcome> {
  return importChunk(db, chunkRequest(UUID, USERS), options);
}

async function deliverUserEmails(
  db: Database,
  options?: ChunkImportOptions,
): Promise<ChunkOutcome> {
  return importChunk(
    db,
    chunkRequest(UUID, USER_EMAILS, { visibleModels: ["sentry.user"] }),
    options,
  );
}

function expectCrashAt(outcome: ChunkOutcome, index: number): void {
  expect(outcome.kind).toBe("rejected");
  const cause = outcome.kind === "rejected" ? outcome.failure.cause : undefined;
  expect(cause).toBeInstanceOf(InjectedCrash);
  expect(cause).toMatchObject({ index });
}

describe.each(ADAPTER_KINDS)("on %s", (kind) => {
  const db = withTestDatabase(kind);

  /** A clean single delivery of both chunks: the statements of each, and the result. */
  async function cleanImport(): Promise<{
    userStatements: string[];
    userEmailStatements: string[];
    snapshot: NaturalSnapshot;
    counts: Record<string, number>;
  }> {
    await resetDatabase(db());
    const users = statementLog();
    const userEmails = statementLog();
    expect((await deliverUsers(db(), { beforeStatement: users.hook })).kind).toBe("imported");
    expect((await deliverUserEmails(db(), { beforeStatement: userEmails.hook })).kind).toBe(
      "imported",
    );
    return {
      userStatements: users.statements,
      userEmailStatements: userEmails.statements,
      snapshot: await naturalSnapshot(db()),
      counts: await tableCounts(db()),
    };
  }

  async function crashThenRedeliver(
    deliver: (db: Database, options?: ChunkImportOptions) => Promise<ChunkOutcome>,
    index: number,
  ): Promise<void> {
    const before = await tableCounts(db());

    const crashed = await deliver(db(), { beforeStatement: crashBefore(index) });

    expectCrashAt(crashed, index);
    // nothing of the chunk: no data row, no side effect, no ledger row, no pk-map row
    expect(await tableCounts(db())).toEqual(before);
    expect((await deliver(db())).kind).toBe("imported");
  }

  it("survives a crash between any two statements of a user chunk, then redelivery", async () => {
    const clean = await cleanImport();
    // the lock, the ledger re-check, the writes and side effects, the ledger, the pk map, COMMIT
    expect(clean.userStatements.length).toBeGreaterThan(6);
    expect(clean.userStatements.at(-1)).toBe("COMMIT");

    for (let index = 0; index < clean.userStatements.length; index += 1) {
      await resetDatabase(db());
      await crashThenRedeliver(deliverUsers, index);
      expect((await deliverUserEmails(db())).kind).toBe("imported");

      expect({ index, snapshot: await naturalSnapshot(db()) }).toEqual({
        index,
        snapshot: clean.snapshot,
      });
      expect(await tableCounts(db())).toEqual(clean.counts);
      expect(await ledgerPkMapDisagreements(db())).toEqual([]);
    }
  });

  it("survives a crash between any two statements of a user-email chunk, then redelivery", async () => {
    const clean = await cleanImport();
    expect(clean.userEmailStatements.at(-1)).toBe("COMMIT");

    for (let index = 0; index < clean.userEmailStatements.length; index += 1) {
      await resetDatabase(db());
      expect((await deliverUsers(db())).kind).toBe("imported");
      await crashThenRedeliver(deliverUserEmails, index);

      expect({ index, snapshot: await naturalSnapshot(db()) }).toEqual({
        index,
        snapshot: clean.snapshot,
      });
      expect(await tableCounts(db())).toEqual(clean.counts);
      expect(await ledgerPkMapDisagreements(db())).toEqual([]);
    }
  });

  it("survives repeated crashes of the same chunk, each at a later statement", async () => {
    const clean = await cleanImport();
    await resetDatabase(db());
    const before = await tableCounts(db());

    for (let index = 0; index < clean.userStatements.length; index += 1) {
      expectCrashAt(await deliverUsers(db(), { beforeStatement: crashBefore(index) }), index);
      expect(await tableCounts(db())).toEqual(before);
    }
    expect((await deliverUsers(db())).kind).toBe("imported");
    expect((await deliverUsers(db())).kind).toBe("alreadyImported");
    expect((await deliverUserEmails(db())).kind).toBe("imported");

    expect(await naturalSnapshot(db())).toEqual(clean.snapshot);
  });
});

/** Guards the fixture: the chunks must exercise shared, case-variant and secondary addresses. */
describe("the crash fixture", () => {
  it("has users sharing an address and user emails beyond the primary ones", () => {
    const addresses = (rows: readonly ExportRow[]) =>
      rows.map((row) => String(row.fields["email"]).toLowerCase());
    expect(new Set(addresses(USERS)).size).toBeLessThan(USERS.length);
    expect(USER_EMAILS.length).toBeGreaterThan(USERS.length);
  });
});
