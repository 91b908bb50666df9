import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { withAtomicImport } from "../../../lib/engine/atomic.ts";
import { runImport } from "../../../lib/engine/runImport.ts";
import type { RunImportOptions } from "../../../lib/engine/runImport.ts";
import { bufferSource } from "../../../lib/format/byteSources.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import { ADAPTER_KINDS, freshTestDatabases } from "../../support/db.ts";
import { DEFAULT_PIPELINE_SETTINGS } from "../../support/pipelineHarness.ts";
import { snapshotByNaturalKeys } from "../../support/snapshot.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

const EXPORT = Buffer.from(generateExportText({ seed: "atomic", users: 12 }), "utf8");

function options(overrides: Partial<RunImportOptions> = {}): RunImportOptions {
  return {
    importUuid: importUuid(randomUUID()),
    settings: DEFAULT_PIPELINE_SETTINGS,
    concurrency: 1,
    dryRun: false,
    ...overrides,
  };
}

describe.each(ADAPTER_KINDS)("an atomic import (--atomic) on %s", (kind) => {
  const fresh = freshTestDatabases(kind);

  it("imports exactly what a chunk-by-chunk import imports", async () => {
    const plain = await fresh();
    await runImport(plain.db, bufferSource(EXPORT), options());
    const atomic = await fresh();
    await withAtomicImport(atomic.db, (inner) => runImport(inner, bufferSource(EXPORT), options()));
    expect(await snapshotByNaturalKeys(atomic.db)).toEqual(await snapshotByNaturalKeys(plain.db));
  });

  it("leaves nothing of the import when a late chunk fails at write time", async () => {
    const { db } = await fresh();
    const empty = await snapshotByNaturalKeys(db);
    let chunks = 0;
    const failing = withAtomicImport(db, (inner) =>
      runImport(
        inner,
        bufferSource(EXPORT),
        options({
          retryAttempts: 1,
          chunkOptions: {
            beforeStatement: (index) => {
              if (index === 0) {
                chunks += 1;
              }
              if (chunks === 12 && index === 3) {
                throw new Error("the database rejected a row (injected)");
              }
            },
          },
        }),
      ),
    );
    await expect(failing).rejects.toThrow(/injected/);
    expect(chunks).toBe(12);
    expect(await snapshotByNaturalKeys(db)).toEqual(empty);
    const { rows } = await db.query("SELECT count(*)::int AS n FROM sentry_import.import_run");
    expect(rows[0]?.["n"]).toBe(0);
  });
});
