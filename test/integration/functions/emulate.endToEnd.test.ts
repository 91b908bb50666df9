import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulate } from "../../../emulator/emulate.ts";
import { runImport } from "../../../lib/engine/runImport.ts";
import { bufferSource } from "../../../lib/format/byteSources.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import { silentLogger } from "../../../lib/log.ts";
import { openTestDatabase } from "../../support/db.ts";
import type { OpenedTestDatabase } from "../../support/db.ts";
import {
  DEFAULT_PIPELINE_SETTINGS,
  TEST_PRIVATE_KEY,
  encryptForTests,
} from "../../support/pipelineHarness.ts";
import { snapshotByNaturalKeys } from "../../support/snapshot.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

const EXPORT = Buffer.from(
  generateExportText({ seed: "emulate", users: 20, outOfScope: true, legacy: "mixed" }),
  "utf8",
);

describe("the pipeline on the emulator (real clients, stand-ins, functions-framework)", () => {
  const opened: OpenedTestDatabase[] = [];
  let archive: Buffer;
  let reference: Record<string, unknown[]>;

  async function fresh(): Promise<OpenedTestDatabase> {
    const database = await openTestDatabase("postgres");
    opened.push(database);
    return database;
  }

  beforeAll(async () => {
    archive = await encryptForTests(EXPORT);
    const { db } = await fresh();
    await runImport(db, bufferSource(EXPORT), {
      importUuid: importUuid(randomUUID()),
      settings: DEFAULT_PIPELINE_SETTINGS,
      concurrency: 1,
      dryRun: false,
    });
    reference = await snapshotByNaturalKeys(db);
  });

  afterAll(async () => {
    await Promise.all(opened.map((d) => d.dispose()));
  });

  async function emulated(chaosSeed: number | null): Promise<Record<string, unknown[]>> {
    const { db } = await fresh();
    const result = await emulate({
      archive,
      privateKeyPem: TEST_PRIVATE_KEY,
      objectName: "backups/test.tar",
      database: db,
      settings: DEFAULT_PIPELINE_SETTINGS,
      chaosSeed,
      log: silentLogger,
      say: () => undefined,
    });
    expect(result.run?.status).toBe("completed");
    return snapshotByNaturalKeys(db);
  }

  it("restores the same rows, pk map and ledger as `sentry-import config`", async () => {
    expect(await emulated(null)).toEqual(reference);
  });

  it("restores the same under chaos with a fixed seed", async () => {
    expect(await emulated(11)).toEqual(reference);
  });
});
