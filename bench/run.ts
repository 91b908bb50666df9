/**
 * End-to-end import benchmark: the importer against COPY on the same rows.
 *
 *   npm run bench -- --users N [--database-url URL] [--encrypted] [--chunk-size N]
 *                    [--concurrency N] [--keep] [--profile] [--skip-copy]
 *
 * 1. Generates a synthetic Config-scope export of N users (test/support/synthetic) into a temp
 *    dir, and with --encrypted wraps it in an encrypted backup for a freshly generated key.
 * 2. Creates a fresh database (`bench_<random>`) on the URL's server, migrates it, and imports
 *    the export in a child process (bench/import-child.ts: what `sentry-import config` does),
 *    which reports its time and its own peak RSS.
 * 3. Creates a second fresh database and COPYs the same rows into the 13 Config tables
 *    (bench/copy-baseline.ts), timed.
 * 4. Prints the figures; the last line is
 *    `users=N rows=R seconds=S rows_per_s=X copy_rows_per_s=Y ratio=X/Y peak_rss_mb=M`.
 *
 * --profile also times every statement family in the importer and writes a V8 CPU profile of
 * it (summarised by bench/cpuprofile-summary.ts). Both databases and the temp dir are removed at
 * the end unless --keep. Not a test: nothing passes or fails on time.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateRsaKeyPair, makeLocalPublicKeyProvider } from "../lib/adapters/localKey.ts";
import { makePgDatabase } from "../lib/adapters/pg/database.ts";
import { DEFAULT_POSTGRES_CONCURRENCY } from "../lib/engine/importOptions.ts";
import { encryptBackupToFile, fileSource } from "../lib/format/index.ts";
import { migrate } from "../lib/migrations/index.ts";
import type { Database } from "../lib/ports.ts";
import { expectedConfigImportCounts, writeExportFile } from "../test/support/synthetic/index.ts";
import type { SyntheticExportOptions, TableCounts } from "../test/support/synthetic/index.ts";
import { convertExportToCsv, copyWithPsql } from "./copy-baseline.ts";
import { BackendCpuSampler } from "./cpu-usage.ts";
import { summariseCpuProfile } from "./cpuprofile-summary.ts";
import type { ChildInput, ChildResult } from "./import-child.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres";

interface BenchOptions {
  readonly users: number;
  readonly databaseUrl: string;
  readonly encrypted: boolean;
  readonly chunkSize: number;
  readonly concurrency: number;
  readonly keep: boolean;
  readonly profile: boolean;
  readonly skipCopy: boolean;
}

function positive(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) {
    return fallback;
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`${flag} must be a positive whole number, got '${String(value)}'`);
  }
  return n;
}

function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      users: { type: "string" },
      "database-url": { type: "string" },
      encrypted: { type: "boolean", default: false },
      "chunk-size": { type: "string" },
      concurrency: { type: "string" },
      keep: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      "skip-copy": { type: "boolean", default: false },
    },
  });
  return {
    users: positive(values.users, "--users"),
    databaseUrl: values["database-url"] ?? process.env["DATABASE_URL"] ?? DEFAULT_URL,
    encrypted: values.encrypted,
    // not the CLI's 20 (Sentry's): the size that imports fastest within the memory target
    // (bench/PERFORMANCE.md); `--chunk-size 20` measures Sentry's default
    chunkSize: positive(values["chunk-size"], "--chunk-size", 1000),
    concurrency: positive(values.concurrency, "--concurrency", DEFAULT_POSTGRES_CONCURRENCY),
    keep: values.keep,
    profile: values.profile,
    skipCopy: values["skip-copy"],
  };
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh, migrated database on the server of `admin`; returns its URL. */
async function createBenchDatabase(
  admin: Database,
  baseUrl: string,
  name: string,
): Promise<string> {
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = withDatabase(baseUrl, name);
  const db = makePgDatabase(url);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return url;
}

async function tableCounts(
  url: string,
  tables: readonly string[],
): Promise<Record<string, number>> {
  const db = makePgDatabase(url);
  try {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table}"`);
      counts[table] = Number(rows[0]?.n ?? 0);
    }
    return counts;
  } finally {
    await db.close();
  }
}

async function runChild(input: ChildInput, cpuProfileDir: string | null): Promise<ChildResult> {
  // as bin/sentry-import.js: Node >= 22.18 strips the types itself, an older one needs tsx
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const nodeArgs = major > 22 || (major === 22 && minor >= 18) ? [] : ["--import", "tsx"];
  if (cpuProfileDir !== null) {
    nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`, "--cpu-prof-interval=1000");
  }
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(HERE, "import-child.ts"), JSON.stringify(input)],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) {
    throw new Error(`the import child exited with ${String(code)}`);
  }
  return JSON.parse(readFileSync(input.resultPath, "utf8")) as ChildResult;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function compareCounts(expected: TableCounts, actual: Record<string, number>): string[] {
  return Object.entries(expected).flatMap(([table, n]) =>
    actual[table] === n ? [] : [`${table}: expected ${String(n)}, got ${String(actual[table])}`],
  );
}

async function main(): Promise<void> {
  const options = parseOptions();
  const tag = randomBytes(4).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), "sentry-import-bench-"));
  const admin = makePgDatabase(options.databaseUrl);
  const created: string[] = [];
  let lastLine: string;
  try {
    const synthetic: SyntheticExportOptions = { seed: 42, users: options.users };
    const plainPath = join(dir, "export.json");
    let started = performance.now();
    const written = await writeExportFile(plainPath, synthetic);
    log(
      `generated ${String(options.users)} users: ${String(written.rows)} rows, ${mb(written.bytes)} in ${((performance.now() - started) / 1000).toFixed(1)} s (${plainPath})`,
    );
    log(`  rows by model: ${JSON.stringify(written.countsByModel)}`);

    let importPath = plainPath;
    let keyPath: string | null = null;
    if (options.encrypted) {
      started = performance.now();
      const keys = await generateRsaKeyPair();
      keyPath = join(dir, "private.pem");
      writeFileSync(keyPath, keys.privateKeyPem);
      importPath = join(dir, "backup.tar");
      await encryptBackupToFile(
        { plaintext: fileSource(plainPath), plaintextLength: statSync(plainPath).size },
        makeLocalPublicKeyProvider(keys.publicKeyPem, "bench key"),
        importPath,
      );
      log(
        `encrypted to ${importPath} (${mb(statSync(importPath).size)}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }

    // the importer
    const importDb = `bench_${tag}_import`;
    const importUrl = await createBenchDatabase(admin, options.databaseUrl, importDb);
    created.push(importDb);
    log(
      `importing into ${importDb} (chunk size ${String(options.chunkSize)}, concurrency ${String(options.concurrency)}${options.encrypted ? ", encrypted" : ""})`,
    );
    const cpuProfileDir = options.profile ? join(dir, "cpuprofile") : null;
    if (cpuProfileDir !== null) {
      mkdirSync(cpuProfileDir);
    }
    const importCpu = new BackendCpuSampler(admin, importDb);
    await importCpu.start();
    const result = await runChild(
      {
        databaseUrl: importUrl,
        exportPath: importPath,
        keyPath,
        chunkSize: options.chunkSize,
        concurrency: options.concurrency,
        resultPath: join(dir, "child-result.json"),
        profileStatements: options.profile,
      },
      cpuProfileDir,
    );
    const machineImport = result.machineBusySeconds;
    const serverImport = await importCpu.stop();
    const clientImport = result.cpuUserSeconds + result.cpuSystemSeconds;
    const rowsPerSecond = written.rows / result.seconds;
    log(
      `import: ${result.seconds.toFixed(1)} s (plan ${result.planSeconds.toFixed(1)} s), ${String(result.chunks)} chunks, ${rowsPerSecond.toFixed(0)} rows/s, peak RSS ${result.maxRssMb.toFixed(0)} MB (peak heap ${result.peakHeapMb.toFixed(0)} MB)`,
    );
    log(
      `  sampled RSS peaked at ${result.sampledPeakRss.mb.toFixed(0)} MB, ${result.sampledPeakRss.atSeconds.toFixed(1)} s in (${result.sampledPeakRss.phase}; V8 heap ${result.sampledPeakRss.heapUsedMb.toFixed(0)} of ${result.sampledPeakRss.heapTotalMb.toFixed(0)} MB, external ${result.sampledPeakRss.externalMb.toFixed(0)} MB)`,
    );
    for (const run of result.runs) {
      log(
        `  ${run.model}: chunks finished from ${run.firstChunk.toFixed(1)} s to ${run.lastChunk.toFixed(1)} s`,
      );
    }
    log(
      `  CPU: importer ${clientImport.toFixed(1)} s (user ${result.cpuUserSeconds.toFixed(1)}, sys ${result.cpuSystemSeconds.toFixed(1)}), server backends ${serverImport.toFixed(1)} s, whole machine ${machineImport.toFixed(1)} s of ${(cpus().length * result.seconds).toFixed(0)} available; other ≈ ${(machineImport - clientImport - serverImport).toFixed(1)} s`,
    );
    if (result.statements !== null) {
      log(`  statements (round trips seen by the client; overlap when concurrency > 1):`);
      log(result.statements.replace(/^/gm, "    "));
    }
    if (cpuProfileDir !== null) {
      for (const file of readdirSync(cpuProfileDir)) {
        log(`  CPU profile ${join(cpuProfileDir, file)}:`);
        log(summariseCpuProfile(join(cpuProfileDir, file), 25).replace(/^/gm, "    "));
      }
    }
    const expected = expectedConfigImportCounts(synthetic);
    const mismatches = compareCounts(expected, await tableCounts(importUrl, Object.keys(expected)));
    log(
      mismatches.length === 0
        ? "  table counts match the generator's expectation"
        : `  WARNING: table counts differ: ${mismatches.join("; ")}`,
    );

    // COPY of the same rows
    let copyRowsPerSecond = Number.NaN;
    if (!options.skipCopy) {
      const copyDb = `bench_${tag}_copy`;
      const copyUrl = await createBenchDatabase(admin, options.databaseUrl, copyDb);
      created.push(copyDb);
      started = performance.now();
      const csvDir = join(dir, "csv");
      mkdirSync(csvDir);
      const tables = await convertExportToCsv(plainPath, csvDir, new Date().toISOString());
      const copyRows = tables.reduce((n, t) => n + t.rows, 0);
      log(
        `converted ${String(copyRows)} rows to CSV in ${((performance.now() - started) / 1000).toFixed(1)} s: ${tables.map((t) => `${t.table}=${String(t.rows)}`).join(" ")}`,
      );
      const copyCpu = new BackendCpuSampler(admin, copyDb);
      await copyCpu.start();
      const copySeconds = await copyWithPsql(copyUrl, tables, join(dir, "copy.sql"));
      const serverCopy = await copyCpu.stop();
      copyRowsPerSecond = copyRows / copySeconds;
      log(
        `copy: ${copySeconds.toFixed(1)} s, ${copyRowsPerSecond.toFixed(0)} rows/s (server backends ${serverCopy.toFixed(1)} s CPU)`,
      );
    }

    const ratio = rowsPerSecond / copyRowsPerSecond;
    lastLine = `users=${String(options.users)} rows=${String(written.rows)} seconds=${result.seconds.toFixed(2)} rows_per_s=${rowsPerSecond.toFixed(0)} copy_rows_per_s=${copyRowsPerSecond.toFixed(0)} ratio=${ratio.toFixed(3)} peak_rss_mb=${result.maxRssMb.toFixed(0)}`;
  } finally {
    if (options.keep) {
      log(`kept ${dir} and databases ${created.join(", ")}`);
    } else {
      for (const name of created) {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }
      rmSync(dir, { recursive: true, force: true });
    }
    await admin.close();
  }
  // the figures, last, after everything else was printed
  process.stdout.write(`${lastLine}\n`);
}

await main();
