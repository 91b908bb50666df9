/**
 * The measured importer, run by `bench/run.ts` in a child process so that its peak RSS is the
 * importer's alone. It does what `sentry-import config SRC --database-url URL` does (open the
 * database, migrate, open the export or the encrypted backup, `runImport` with the run recorded
 * through `onPlanned`, `finishRun`), timed from opening the source to the finished run, and
 * writes its figures as JSON to the result file.
 *
 *   node --import tsx bench/import-child.ts '<json ChildInput>'
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { makeLocalKeyDecryptor } from "../lib/adapters/localKey.ts";
import { openDatabase } from "../lib/adapters/database.ts";
import { runImport } from "../lib/engine/runImport.ts";
import type { ImportProgress } from "../lib/engine/runImport.ts";
import { finishRun, recordRun } from "../lib/engine/sql/importRuns.ts";
import { fileSource, openEncryptedBackup } from "../lib/format/index.ts";
import { importUuid } from "../lib/ledger/key.ts";
import { migrate } from "../lib/migrations/index.ts";
import type { ByteSource } from "../lib/ports.ts";
import type { ModelName } from "../lib/registry/types.ts";
import { machineBusySeconds } from "./cpu-usage.ts";
import { formatStatementStats, timedDatabase } from "./timed-database.ts";
import type { StatementStats } from "./timed-database.ts";

export interface ChildInput {
  readonly databaseUrl: string;
  readonly exportPath: string;
  /** PEM private key when the export is an encrypted backup */
  readonly keyPath: string | null;
  readonly chunkSize: number;
  readonly concurrency: number;
  readonly resultPath: string;
  /** time every statement by family (adds a little overhead) */
  readonly profileStatements: boolean;
}

export interface RunSpan {
  readonly model: string;
  firstChunk: number;
  lastChunk: number;
}

export interface ChildResult {
  readonly seconds: number;
  readonly planSeconds: number;
  /** per run, seconds since the start: when its first and its last chunk finished */
  readonly runs: readonly RunSpan[];
  readonly models: readonly {
    model: string;
    rows: number;
    inserted: number;
    existing: number;
    overwritten: number;
    skipped: number;
  }[];
  readonly chunks: number;
  readonly maxRssMb: number;
  readonly peakHeapMb: number;
  /** the highest RSS the sampler saw, and when (maxRssMb may be a peak between two samples) */
  readonly sampledPeakRss: {
    readonly mb: number;
    readonly phase: string;
    readonly atSeconds: number;
    /** V8's heap (used and reserved) and memory outside it (buffers) at that moment */
    readonly heapUsedMb: number;
    readonly heapTotalMb: number;
    readonly externalMb: number;
  };
  readonly cpuUserSeconds: number;
  readonly cpuSystemSeconds: number;
  /** busy CPU seconds of the whole machine during the timed window */
  readonly machineBusySeconds: number;
  readonly statements: string | null;
}

function parseInput(): ChildInput {
  const raw = process.argv[2];
  if (raw === undefined) {
    throw new Error("usage: import-child.ts '<json input>'");
  }
  return JSON.parse(raw) as ChildInput;
}

async function main(): Promise<void> {
  const input = parseInput();
  const stats: StatementStats = new Map();
  const opened = await openDatabase({ databaseUrl: input.databaseUrl });
  const database = input.profileStatements ? timedDatabase(opened, stats) : opened;
  await migrate(opened);

  const started = performance.now();
  // where the memory peaks: sampled ten times a second, with the phase it happened in
  let phase = "opening";
  let peakHeap = process.memoryUsage().heapUsed;
  let peakRss = { mb: 0, phase, atSeconds: 0, heapTotalMb: 0, heapUsedMb: 0, externalMb: 0 };
  const heapSampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakHeap = Math.max(peakHeap, usage.heapUsed);
    if (usage.rss / 2 ** 20 > peakRss.mb) {
      peakRss = {
        mb: usage.rss / 2 ** 20,
        phase,
        atSeconds: (performance.now() - started) / 1000,
        heapTotalMb: usage.heapTotal / 2 ** 20,
        heapUsedMb: usage.heapUsed / 2 ** 20,
        externalMb: usage.external / 2 ** 20,
      };
    }
  }, 100);

  const cpuStart = process.cpuUsage();
  const machineStart = machineBusySeconds();
  const source: ByteSource =
    input.keyPath === null
      ? fileSource(input.exportPath)
      : (
          await openEncryptedBackup(
            fileSource(input.exportPath),
            makeLocalKeyDecryptor(readFileSync(input.keyPath), input.keyPath),
            { label: input.exportPath },
          )
        ).plaintext;

  const id = importUuid(randomUUID());
  phase = "planning";
  let planSeconds = 0;
  let chunks = 0;
  let rowsDone = 0;
  let totalRows = 0;
  // runs overlap (a chunk starts once what it references has committed): spans, not levels
  const runs = new Map<ModelName, RunSpan>();
  let lastReport = performance.now();
  const onProgress = (event: ImportProgress): void => {
    switch (event.kind) {
      case "planned":
        phase = "recording the plan";
        planSeconds = (performance.now() - started) / 1000;
        totalRows = event.plan.runs.reduce((n, run) => n + run.rowCount, 0);
        process.stderr.write(
          `  planned in ${planSeconds.toFixed(1)} s: ${String(totalRows)} rows to import\n`,
        );
        break;
      case "level":
        phase = `level ${String(event.level)}`;
        break;
      case "chunk": {
        chunks += 1;
        rowsDone += event.rows;
        const now = performance.now();
        const at = (now - started) / 1000;
        const span = runs.get(event.model);
        if (span === undefined) {
          runs.set(event.model, { model: event.model, firstChunk: at, lastChunk: at });
        } else {
          span.lastChunk = at;
        }
        if (now - lastReport > 10_000) {
          lastReport = now;
          const seconds = (now - started) / 1000;
          process.stderr.write(
            `  ${seconds.toFixed(0)} s: ${String(rowsDone)}/${String(totalRows)} rows, rss ${String(Math.round(process.memoryUsage().rss / 2 ** 20))} MB\n`,
          );
        }
        break;
      }
    }
  };

  const report = await runImport(database, source, {
    importUuid: id,
    settings: {
      scope: "Config",
      chunkSize: input.chunkSize,
      flags: { mergeUsers: false, overwriteConfigs: false, passwordMode: { kind: "unusable" } },
      usernameFilter: null,
    },
    concurrency: input.concurrency,
    dryRun: false,
    onProgress,
    onPlanned: async (plan) => {
      await recordRun(database, {
        importUuid: id,
        source: input.exportPath,
        scope: "Config",
        flags: {
          merge_users: false,
          overwrite_configs: false,
          filter_usernames: null,
          password_mode: "unusable",
        },
        chunkSize: input.chunkSize,
        status: "importing",
        plan,
      });
    },
  });
  phase = "finishing";
  await finishRun(database, id, { status: "completed", summary: report.summary, findings: [] });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const machine = machineBusySeconds() - machineStart;
  clearInterval(heapSampler);
  await database.close();

  const result: ChildResult = {
    seconds,
    planSeconds,
    runs: [...runs.values()],
    models: report.summary.models.map((m) => ({
      model: m.model,
      rows: m.rows,
      inserted: m.inserted,
      existing: m.existing,
      overwritten: m.overwritten,
      skipped: m.skipped,
    })),
    chunks,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    peakHeapMb: peakHeap / 2 ** 20,
    sampledPeakRss: peakRss,
    cpuUserSeconds: cpu.user / 1e6,
    cpuSystemSeconds: cpu.system / 1e6,
    machineBusySeconds: machine,
    statements: input.profileStatements ? formatStatementStats(stats, seconds * 1000) : null,
  };
  writeFileSync(input.resultPath, JSON.stringify(result));
}

await main();
