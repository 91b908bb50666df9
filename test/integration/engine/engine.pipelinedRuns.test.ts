/**
 * The CLI starts a chunk as soon as the chunks of earlier runs it references have committed,
 * instead of waiting for the whole previous level (lib/engine/chunkGates.ts). These tests hold
 * it to the level-by-level result: the same rows and ledger by natural keys as an import that
 * takes one run at a time, while the user options really do overlap the user run.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { runImport } from "../../../lib/engine/runImport.ts";
import type { ImportProgress, RunImportOptions } from "../../../lib/engine/runImport.ts";
import { bufferSource } from "../../../lib/format/byteSources.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import { USER, USER_OPTION } from "../../../lib/registry/names.ts";
import { ADAPTER_KINDS, freshTestDatabases } from "../../support/db.ts";
import { DEFAULT_PIPELINE_SETTINGS } from "../../support/pipelineHarness.ts";
import { snapshotByNaturalKeys } from "../../support/snapshot.ts";
import { generateExportText } from "../../support/synthetic/index.ts";
import { importRows, row, rowsOf, userRow } from "../../support/engine.ts";

const EXPORT = Buffer.from(generateExportText({ seed: "pipelined", users: 40 }), "utf8");

function options(concurrency: number, overrides: Partial<RunImportOptions> = {}): RunImportOptions {
  return {
    importUuid: importUuid(randomUUID()),
    settings: { ...DEFAULT_PIPELINE_SETTINGS, chunkSize: 3 },
    concurrency,
    dryRun: false,
    ...overrides,
  };
}

describe.each(ADAPTER_KINDS)("runs that follow the user run chunk by chunk, on %s", (kind) => {
  const fresh = freshTestDatabases(kind);

  it("import what a one-run-at-a-time import imports, ledger included", async () => {
    const serial = await fresh();
    await runImport(serial.db, bufferSource(EXPORT), options(1));
    const pipelined = await fresh();
    const events: ImportProgress[] = [];
    await runImport(
      pipelined.db,
      bufferSource(EXPORT),
      options(6, { onProgress: (event) => events.push(event) }),
    );
    expect(await snapshotByNaturalKeys(pipelined.db)).toEqual(
      await snapshotByNaturalKeys(serial.db),
    );
    // a user-option chunk committed before the last user chunk: the runs overlapped
    const models = events.flatMap((e) => (e.kind === "chunk" ? [e.model] : []));
    expect(models.indexOf(USER_OPTION)).toBeGreaterThan(-1);
    expect(models.indexOf(USER_OPTION)).toBeLessThan(models.lastIndexOf(USER));
  });

  it("create an address in a later user's spelling, not in an earlier user email's", async () => {
    // in file order user-3's side effect creates "Shared@x.io" before user-0's second user
    // email asks for "shared@x.io": the user-email chunk waits for user-3's chunk
    const rows = [
      ...Array.from({ length: 4 }, (_, i) =>
        userRow(100 + i, `user-${String(i)}`, {
          email: i === 3 ? "Shared@x.io" : `u${String(i)}@x.io`,
        }),
      ),
      row("sentry.useremail", 1, {
        user: 100,
        email: "shared@x.io",
        validation_hash: "",
        date_hash_added: "2023-06-22T00:00:00.000Z",
        is_verified: true,
      }),
    ];
    const { db } = await fresh();
    await importRows(db, rows, { chunkSize: 1, concurrency: 6 });
    const emails = await rowsOf<{ email: string }>(
      db,
      "SELECT email::text AS email FROM sentry_email WHERE lower(email::text) = 'shared@x.io'",
    );
    expect(emails).toEqual([{ email: "Shared@x.io" }]);
  });

  it("stop, without hanging, when a user chunk fails while later runs wait for it", async () => {
    const { db } = await fresh();
    const started: string[] = [];
    const failing = runImport(
      db,
      bufferSource(EXPORT),
      options(6, {
        retryAttempts: 1,
        chunkOptions: {
          beforeStatement: (index, _sql, chunk) => {
            if (index === 0) {
              started.push(chunk.model);
            }
            // the fourth user chunk: user options wait for it, the user run is not done
            if (chunk.model === USER && chunk.minOrdinal === 10 && index === 2) {
              throw new Error("the database rejected a row (injected)");
            }
          },
        },
      }),
    );
    await expect(failing).rejects.toThrow(/injected/);
    expect(started).toContain(USER_OPTION);
  });
});
