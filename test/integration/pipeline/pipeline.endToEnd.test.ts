import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runImport } from "../../../lib/engine/runImport.ts";
import { bufferSource } from "../../../lib/format/byteSources.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import { loadRun } from "../../../lib/pipeline/sql.ts";
import { openTestDatabase } from "../../support/db.ts";
import type { OpenedTestDatabase } from "../../support/db.ts";
import { withInjectedFaults } from "../../support/faultyDatabase.ts";
import { sha256 } from "../../support/memoryPorts.ts";
import {
  DEFAULT_PIPELINE_SETTINGS,
  encryptForTests,
  runPipeline,
} from "../../support/pipelineHarness.ts";
import { snapshotByNaturalKeys } from "../../support/snapshot.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

const EXPORT = Buffer.from(
  generateExportText({ seed: "pipeline", users: 30, outOfScope: true, legacy: "mixed" }),
  "utf8",
);
/** A smaller backup for the many chaos rounds: every model, a few chunks per run. */
const CHAOS_EXPORT = Buffer.from(
  generateExportText({ seed: "chaos", users: 12, outOfScope: true, legacy: "mixed" }),
  "utf8",
);
/** At least 200 in CI (the issue asks for it); CHAOS_ROUNDS raises or lowers it. */
const ROUNDS = Number(process.env["CHAOS_ROUNDS"] ?? "200");

describe("the serverless pipeline", () => {
  let archive: Buffer;
  let reference: Record<string, unknown[]>;
  let chaosArchive: Buffer;
  let chaosReference: Record<string, unknown[]>;
  const opened: OpenedTestDatabase[] = [];

  async function freshDatabase(): Promise<OpenedTestDatabase> {
    const database = await openTestDatabase("postgres");
    opened.push(database);
    return database;
  }

  async function cliSnapshot(plaintext: Buffer): Promise<Record<string, unknown[]>> {
    const { db } = await freshDatabase();
    await runImport(db, bufferSource(plaintext), {
      importUuid: importUuid(randomUUID()),
      settings: DEFAULT_PIPELINE_SETTINGS,
      concurrency: 1,
      dryRun: false,
    });
    return snapshotByNaturalKeys(db);
  }

  beforeAll(async () => {
    archive = await encryptForTests(EXPORT);
    chaosArchive = await encryptForTests(CHAOS_EXPORT);
    reference = await cliSnapshot(EXPORT);
    chaosReference = await cliSnapshot(CHAOS_EXPORT);
  });

  afterAll(async () => {
    await Promise.all(opened.map((d) => d.dispose()));
  });

  it("restores the same database as `sentry-import config` of the same backup", async () => {
    const { db } = await freshDatabase();
    const run = await runPipeline(db, archive);
    expect(run.outcomes.map((o) => o.kind)).toEqual(["started"]);
    const state = await loadRun(db, run.outcomes[0]?.importUuid ?? importUuid(randomUUID()));
    expect(state?.status).toBe("completed");
    expect(await snapshotByNaturalKeys(db)).toEqual(reference);
    const results = run.blobs.contents("staging", `imports/${state?.importUuid ?? ""}/results/`);
    expect(results.map((b) => b.toString("utf8").trim()).sort()[0]).toBe("[]");
    expect(results).toHaveLength(2);
  });

  it("redelivered finalize event maps to the same import", async () => {
    const { db } = await freshDatabase();
    const run = await runPipeline(db, archive, { duplicateEvent: true });
    const [first, second] = run.outcomes;
    expect(first?.importUuid).toBe(second?.importUuid);
    expect(run.outcomes.map((o) => o.kind).sort()).toEqual(["duplicate", "started"]);
    expect(await snapshotByNaturalKeys(db)).toEqual(reference);
  });

  it("leaves no plaintext of the backup in the staging bucket", async () => {
    const { db } = await freshDatabase();
    const run = await runPipeline(db, archive);
    const staged = run.blobs
      .contents("staging", "imports/")
      .filter((b) => !b.toString("utf8").startsWith("[") && !b.toString("utf8").startsWith("{"));
    expect(staged.length).toBeGreaterThan(0);
    for (const bytes of staged) {
      const text = bytes.toString("latin1");
      expect(text).not.toContain("sentry.");
      expect(text).not.toContain("@");
      expect(sha256(bytes)).not.toBe(sha256(EXPORT));
    }
  });

  it(
    `ends identical to a clean run after ${String(ROUNDS)} rounds of chaos`,
    { timeout: 30 * 60_000 },
    async () => {
      for (let round = 0; round < ROUNDS; round += 1) {
        const database = await freshDatabase();
        const faulty = withInjectedFaults(database.db, 1000 + round, 0.02);
        await runPipeline(faulty, chaosArchive, {
          duplicateEvent: round % 3 === 0,
          chaos: { seed: round, duplicate: 0.3, reorder: true, loseAnswer: 0.1 },
        });
        expect(await snapshotByNaturalKeys(database.db), `round ${String(round)}`).toEqual(
          chaosReference,
        );
        await database.dispose();
        opened.splice(opened.indexOf(database), 1);
      }
    },
  );
});
