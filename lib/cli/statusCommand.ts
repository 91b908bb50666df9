/** `sentry-import status [IMPORT_UUID]`: the recorded imports, or one of them in detail. */
import { Command } from "commander";
import { openDatabase } from "../adapters/database.ts";
import { findRun, listRuns } from "../engine/sql/importRuns.ts";
import type { ImportRunRow } from "../engine/sql/importRuns.ts";
import { UsageError } from "../errors.ts";
import { importUuidSchema } from "../ledger/key.ts";
import { migrate } from "../migrations/index.ts";
import type { CliIo } from "./io.ts";
import type { CommandModule } from "./main.ts";
import { DEFAULT_DATA_DIR } from "./importCommand.ts";

interface StatusOptions {
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly json?: boolean;
  readonly limit: string;
}

function when(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

function describeRun(run: ImportRunRow): string {
  const lines = [
    `import ${run.import_uuid}`,
    `  status:     ${run.status}`,
    `  source:     ${run.source}`,
    `  scope:      ${run.scope}`,
    `  chunk size: ${String(run.chunk_size)}`,
    `  flags:      ${JSON.stringify(run.flags)}`,
    `  started:    ${when(run.created_at)}`,
    `  updated:    ${when(run.updated_at)}`,
  ];
  const counts = run.counts as {
    models?: {
      model: string;
      rows: number;
      inserted: number;
      existing: number;
      overwritten: number;
      skipped: number;
    }[];
  } | null;
  if (counts?.models !== undefined && counts.models.length > 0) {
    lines.push("  models:");
    for (const m of counts.models) {
      lines.push(
        `    ${m.model}: ${String(m.rows)} rows, ${String(m.inserted)} inserted, ${String(m.existing)} existing, ${String(m.overwritten)} overwritten, ${String(m.skipped)} skipped`,
      );
    }
  }
  const findings = Array.isArray(run.findings)
    ? (run.findings as { kind?: string; reason?: string }[])
    : [];
  for (const finding of findings) {
    lines.push(`  finding:    ${finding.kind ?? "?"}: ${finding.reason ?? ""}`);
  }
  return `${lines.join("\n")}\n`;
}

async function status(id: string | undefined, opts: StatusOptions, io: CliIo): Promise<void> {
  const limit = Number(opts.limit);
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new UsageError(`--limit must be a positive whole number, got '${opts.limit}'`);
  }
  const wanted = id === undefined ? null : importUuidSchema.safeParse(id);
  if (wanted !== null && !wanted.success) {
    throw new UsageError(`'${id ?? ""}' is not an import uuid`);
  }
  const database = await openDatabase({
    databaseUrl: opts.databaseUrl ?? io.env["DATABASE_URL"],
    dataDir: opts.dataDir ?? DEFAULT_DATA_DIR,
  });
  try {
    await migrate(database);
    if (wanted === null) {
      const runs = await listRuns(database, limit);
      if (opts.json === true) {
        io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
      } else if (runs.length === 0) {
        io.stdout("No imports recorded in this database.\n");
      } else {
        for (const run of runs) {
          io.stdout(
            `${run.import_uuid}  ${run.status.padEnd(10)}  ${when(run.created_at)}  ${run.source}\n`,
          );
        }
      }
      return;
    }
    const run = await findRun(database, wanted.data);
    if (run === null) {
      throw new UsageError(`no import ${wanted.data} is recorded in this database`);
    }
    io.stdout(opts.json === true ? `${JSON.stringify(run, null, 2)}\n` : describeRun(run));
  } finally {
    await database.close();
  }
}

export const registerStatusCommand: CommandModule = (program, io) => {
  program.addCommand(
    new Command("status")
      .description(
        "List the recorded imports (CLI and pipeline), or show one with its counts and findings",
      )
      .argument("[import-uuid]", "the import to show")
      .option(
        "--database-url <url>",
        "a Postgres URL (default: $DATABASE_URL, else the embedded database)",
      )
      .option("--data-dir <dir>", `the embedded database's folder (default: ${DEFAULT_DATA_DIR})`)
      .option("--limit <n>", "how many imports to list", "20")
      .option("--json", "print JSON")
      .action(async (id: string | undefined, opts: StatusOptions) => {
        await status(id, opts, io);
      }),
  );
};
