/**
 * import-semantics.md §17 (serverless and CLI resume), §18.13 (h): a whole import delivered again
 * under the same import uuid. Completed chunks answer from their ledger rows, so a second run
 * writes nothing, and a run interrupted part-way completes on the rerun with exactly the rows of
 * an uninterrupted import: none duplicated, none lost.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { runImport } from "../../../lib/engine/runImport.ts";
import type {
  ImportProgress,
  ImportReport,
  RunImportOptions,
} from "../../../lib/engine/runImport.ts";
import type { ImportSettings } from "../../../lib/engine/importOptions.ts";
import { ImportFailure } from "../../../lib/errors.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import type { ImportUuid } from "../../../lib/ledger/key.ts";
import type { Database } from "../../../lib/ports.ts";
import { ADAPTER_KINDS, withTestDatabase } from "../../support/db.ts";
import {
  bytesSource,
  DEFAULT_FLAGS,
  FIXED_NOW,
  InjectedCrash,
  ledgerPkMapDisagreements,
  naturalSnapshot,
  resetDatabase,
  tableCounts,
} from "../../support/faults.ts";
import type { BeforeStatement, NaturalSnapshot } from "../../support/faults.ts";
import { expectedConfigImportCounts, generateExportText } from "../../support/synthetic/index.ts";
import type { SyntheticExportOptions } from "../../support/synthetic/index.ts";

const EXPORT: SyntheticExportOptions = {
  seed: "at-least-once rerun",
  users: 30,
  legacy: "mixed",
  outOfScope: true,
  danglingReferences: true,
  tokenFraction: 0.4,
  roleAssignmentFraction: 0.3,
  permissionFraction: 0.2,
};
const SOURCE = bytesSource(generateExportText(EXPORT), 4096);
/** Rows per Sentry table after the import (the generator's own oracle). */
const EXPECTED = expectedConfigImportCounts(EXPORT);
const SETTINGS: ImportSettings = {
  scope: "Config",
  chunkSize: 7,
  flags: DEFAULT_FLAGS,
  usernameFilter: null,
};

function sentryTableCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(EXPECTED).map((table) => [table, counts[`public.${table}`] ?? -1]),
  );
}

/**
 * A hook that crashes before statement `at` (or before the COMMIT) of the `nth` chunk
 * transaction to start. Transactions are told apart by their chunk, so this holds when runs of
 * a level interleave too.
 */
function crashInChunk(nth: number, at: number | "COMMIT"): BeforeStatement {
  let started = 0;
  const numbers = new Map<string, number>();
  return (index, sql, chunk) => {
    const name = `${chunk.model}/${String(chunk.minOrdinal)}`;
    if (index === 0) {
      started += 1;
      numbers.set(name, started);
    }
    if (numbers.get(name) === nth && (at === "COMMIT" ? sql === "COMMIT" : index === at)) {
      throw new InjectedCrash(index, sql);
    }
  };
}

describe.each(ADAPTER_KINDS)("on %s", (kind) => {
  const db = withTestDatabase(kind);
  const uuid: ImportUuid = importUuid(randomUUID());
  let reference: {
    report: ImportReport;
    counts: Record<string, number>;
    snapshot: NaturalSnapshot;
    transactions: number;
  };

  async function run(
    database: Database,
    options: Partial<RunImportOptions> = {},
  ): Promise<ImportReport> {
    return runImport(database, SOURCE, {
      importUuid: uuid,
      settings: SETTINGS,
      concurrency: 1,
      dryRun: false,
      now: FIXED_NOW,
      ...options,
    });
  }

  beforeAll(async () => {
    await resetDatabase(db());
    let transactions = 0;
    const report = await run(db(), {
      chunkOptions: {
        beforeStatement: (index) => {
          transactions += index === 0 ? 1 : 0;
        },
      },
    });
    reference = {
      report,
      counts: await tableCounts(db()),
      snapshot: await naturalSnapshot(db()),
      transactions,
    };
  });

  it("imports the export exactly: the generator's expected rows in every table", () => {
    expect(sentryTableCounts(reference.counts)).toEqual(EXPECTED);
    expect(reference.transactions).toBeGreaterThan(20);
  });

  it("an import run again with the same import uuid writes nothing new", async () => {
    await resetDatabase(db());
    const first = await run(db());
    const counts = await tableCounts(db());
    const events: ImportProgress[] = [];

    const second = await run(db(), { onProgress: (event) => events.push(event) });

    expect(await tableCounts(db())).toEqual(counts);
    expect(await naturalSnapshot(db())).toEqual(reference.snapshot);
    expect(second.summary).toEqual(first.summary);
    // every chunk that recorded rows has a ledger row, and answers from it
    const ledgerRows =
      (counts["public.sentry_regionimportchunk"] ?? 0) +
      (counts["public.sentry_controlimportchunk"] ?? 0);
    const outcomes = events.flatMap((e) => (e.kind === "chunk" ? [e.outcome] : []));
    expect(outcomes.filter((o) => o === "alreadyImported")).toHaveLength(ledgerRows);
    expect(outcomes.every((o) => o === "alreadyImported" || o === "imported")).toBe(true);
  });

  it("an import interrupted at any chunk and run again with the same import uuid equals an uninterrupted one", async () => {
    const total = reference.transactions;
    const points = [
      ...new Set([1, 2, 3, total >> 2, total >> 1, (3 * total) >> 2, total - 1, total]),
    ];
    for (const [i, nth] of points.entries()) {
      const at = i % 2 === 0 ? "COMMIT" : i % 3;
      await resetDatabase(db());

      const interrupted = await run(db(), {
        chunkOptions: { beforeStatement: crashInChunk(nth, at) },
      }).then(
        () => null,
        (error: unknown) => error,
      );

      expect(interrupted).toBeInstanceOf(ImportFailure);
      expect((interrupted as ImportFailure).cause).toBeInstanceOf(InjectedCrash);
      const resumed = await run(db());
      expect({ nth, at, snapshot: await naturalSnapshot(db()) }).toEqual({
        nth,
        at,
        snapshot: reference.snapshot,
      });
      expect(await tableCounts(db())).toEqual(reference.counts);
      expect(resumed.summary).toEqual(reference.report.summary);
    }
    expect(await ledgerPkMapDisagreements(db())).toEqual([]);
  });

  it("an import interrupted twice completes on the third run", async () => {
    await resetDatabase(db());
    const half = reference.transactions >> 1;

    await expect(
      run(db(), { chunkOptions: { beforeStatement: crashInChunk(half, "COMMIT") } }),
    ).rejects.toBeInstanceOf(ImportFailure);
    // the second run skips the committed chunks: its transactions are counted afresh
    await expect(
      run(db(), { chunkOptions: { beforeStatement: crashInChunk(2, 1) } }),
    ).rejects.toBeInstanceOf(ImportFailure);
    await run(db());

    expect(await naturalSnapshot(db())).toEqual(reference.snapshot);
    expect(await tableCounts(db())).toEqual(reference.counts);
  });

  if (kind === "postgres") {
    it("an import stops starting chunks once one of its chunks failed", async () => {
      // level 0 holds several runs of several chunks: controloption, option, relay… run together
      const wide = bytesSource(
        generateExportText({ seed: "stop on failure", users: 20, options: 40, controlOptions: 40 }),
      );
      await resetDatabase(db());
      let crashed = false;
      let startedAfterCrash = 0;

      await expect(
        runImport(db(), wide, {
          importUuid: importUuid(randomUUID()),
          settings: { ...SETTINGS, chunkSize: 4 },
          concurrency: 3,
          dryRun: false,
          chunkOptions: {
            beforeStatement: (index, sql, chunk) => {
              if (index === 0 && crashed) {
                startedAfterCrash += 1;
              }
              if (chunk.model === "sentry.controloption" && chunk.minOrdinal === 5 && index === 0) {
                crashed = true;
                throw new InjectedCrash(index, sql);
              }
            },
          },
        }),
      ).rejects.toBeInstanceOf(ImportFailure);

      // at most the chunks the other two runs had already begun
      expect(startedAfterCrash).toBeLessThanOrEqual(2);
    });

    it("an import interrupted while models run concurrently, then run again, equals an uninterrupted one", async () => {
      for (const nth of [5, reference.transactions >> 1]) {
        await resetDatabase(db());
        await expect(
          run(db(), {
            concurrency: 3,
            chunkOptions: { beforeStatement: crashInChunk(nth, "COMMIT") },
          }),
        ).rejects.toBeInstanceOf(ImportFailure);
        await run(db(), { concurrency: 3 });

        expect(await naturalSnapshot(db())).toEqual(reference.snapshot);
        expect(await tableCounts(db())).toEqual(reference.counts);
      }
    });
  }
});
