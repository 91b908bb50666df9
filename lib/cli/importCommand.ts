/**
 * `sentry-import config SRC` and `sentry-import users SRC`: Sentry's `import config` /
 * `import users`, with the same flags, findings format and exit codes (backup-format.md §11),
 * plus the project's own: where the database is, the import uuid, chunk size, dry run, JSON.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { openDatabase } from "../adapters/database.ts";
import { withAtomicImport } from "../engine/atomic.ts";
import { runImport } from "../engine/runImport.ts";
import type { ImportReport } from "../engine/runImport.ts";
import { finishRun, findRun, recordRun } from "../engine/sql/importRuns.ts";
import type { RunFlags } from "../engine/sql/importRuns.ts";
import { UsageError } from "../errors.ts";
import { findingFromError, formatFindingsJson, prettyFinding } from "../findings.ts";
import type { Finding } from "../findings.ts";
import { fileSource, openEncryptedBackup, writeFileAtomically } from "../format/index.ts";
import { importUuidSchema } from "../ledger/key.ts";
import type { ImportUuid } from "../ledger/key.ts";
import { DEFAULT_CHUNK_SIZE } from "../planner/chunks.ts";
import { migrate } from "../migrations/index.ts";
import type { ByteSource, Database } from "../ports.ts";
import { DEFAULT_PBKDF2_ITERATIONS } from "../secrets.ts";
import type { PasswordMode } from "../secrets.ts";
import { DEFAULT_POSTGRES_CONCURRENCY } from "../engine/importOptions.ts";
import type { ImportSettings } from "../engine/importOptions.ts";
import type { CliIo } from "./io.ts";
import { checkDecryptFlags } from "./keySources.ts";
import type { KeyHandle } from "./keySources.ts";
import type { KeyDecryptor } from "../ports.ts";
import type { CommandModule } from "./main.ts";
import { requireReadableFile, requireWritableTarget } from "./paths.ts";
import { makeProgressReporter } from "./progress.ts";
import { formatSummaryTable, summaryJson } from "./summaryOutput.ts";

export const DEFAULT_DATA_DIR = ".sentry-import";

interface ImportCommandOptions {
  readonly decryptWith?: string;
  readonly decryptWithGcpKms?: string;
  readonly findingsFile?: string;
  readonly mergeUsers?: boolean;
  readonly overwriteConfigs?: boolean;
  readonly filterUsernames?: string;
  readonly filterUsernamesFile?: string;
  readonly prompt: boolean;
  readonly silent?: boolean;
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly importUuid?: string;
  readonly chunkSize?: string;
  readonly concurrency?: string;
  readonly dryRun?: boolean;
  readonly atomic?: boolean;
  readonly json?: boolean;
  readonly passwordMode: "unusable" | "pbkdf2";
  readonly pbkdf2Iterations?: string;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} must be a positive whole number, got '${value}'`);
  }
  return n;
}

/** Sentry's user filter: comma-separated (`""` = no filter) or one name per line of a file. */
function usernameFilter(opts: ImportCommandOptions): readonly string[] | null {
  if (opts.filterUsernames !== undefined && opts.filterUsernamesFile !== undefined) {
    throw new UsageError("--filter-usernames and --filter-usernames-file are mutually exclusive");
  }
  if (opts.filterUsernamesFile !== undefined) {
    const path = requireReadableFile(opts.filterUsernamesFile, "'--filter-usernames-file'");
    return readFileSync(path, "utf8")
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
  if (opts.filterUsernames === undefined || opts.filterUsernames === "") {
    return null;
  }
  return opts.filterUsernames.split(",").map((s) => s.trim());
}

function passwordMode(opts: ImportCommandOptions): PasswordMode {
  if (opts.passwordMode === "unusable") {
    return { kind: "unusable" };
  }
  return {
    kind: "pbkdf2",
    iterations:
      positiveInt(opts.pbkdf2Iterations, "--pbkdf2-iterations") ?? DEFAULT_PBKDF2_ITERATIONS,
  };
}

function runFlags(settings: ImportSettings): RunFlags {
  const mode = settings.flags.passwordMode;
  return {
    merge_users: settings.flags.mergeUsers,
    overwrite_configs: settings.flags.overwriteConfigs,
    filter_usernames: settings.usernameFilter === null ? null : [...settings.usernameFilter],
    password_mode: mode.kind === "unusable" ? "unusable" : `pbkdf2:${String(mode.iterations)}`,
  };
}

interface PreparedImport {
  readonly src: string;
  readonly importUuid: ImportUuid;
  readonly explicitChunkSize: number | undefined;
  readonly settings: Omit<ImportSettings, "chunkSize">;
  readonly openKey: ((io: CliIo) => Promise<KeyHandle<KeyDecryptor>>) | null;
  readonly findingsFile: string | null;
}

/** Every usage check (exit 2) before any work starts. */
function prepare(
  scope: ImportSettings["scope"],
  srcArg: string,
  opts: ImportCommandOptions,
): PreparedImport {
  const src = requireReadableFile(srcArg, "'SRC'");
  const openKey =
    opts.decryptWith === undefined && opts.decryptWithGcpKms === undefined
      ? null
      : checkDecryptFlags(opts);
  const parsedUuid = importUuidSchema.safeParse(opts.importUuid ?? randomUUID());
  if (!parsedUuid.success) {
    throw new UsageError(`--import-uuid must be a UUID, got '${opts.importUuid ?? ""}'`);
  }
  return {
    src,
    importUuid: parsedUuid.data,
    explicitChunkSize: positiveInt(opts.chunkSize, "--chunk-size"),
    settings: {
      scope,
      flags: {
        mergeUsers: opts.mergeUsers === true,
        overwriteConfigs: opts.overwriteConfigs === true,
        passwordMode: passwordMode(opts),
      },
      usernameFilter: usernameFilter(opts),
    },
    openKey,
    findingsFile:
      opts.findingsFile === undefined
        ? null
        : requireWritableTarget(opts.findingsFile, "'--findings-file'"),
  };
}

/** The chunk size of a resumed import is the one it started with (decision h). */
async function resolveChunkSize(
  db: Database,
  prepared: PreparedImport,
  flags: RunFlags,
): Promise<number> {
  const existing = await findRun(db, prepared.importUuid);
  if (existing === null) {
    return prepared.explicitChunkSize ?? DEFAULT_CHUNK_SIZE;
  }
  if (
    prepared.explicitChunkSize !== undefined &&
    prepared.explicitChunkSize !== existing.chunk_size
  ) {
    throw new UsageError(
      `import ${prepared.importUuid} was started with --chunk-size ${String(existing.chunk_size)}; resume it with the same size`,
    );
  }
  if (JSON.stringify(existing.flags) !== JSON.stringify(flags)) {
    throw new UsageError(
      `import ${prepared.importUuid} was started with other flags (${JSON.stringify(existing.flags)}); resume it with the same flags`,
    );
  }
  return existing.chunk_size;
}

async function writeFindings(path: string | null, findings: readonly Finding[]): Promise<void> {
  if (path !== null) {
    const text = `${formatFindingsJson(findings)}\n`;
    await writeFileAtomically(path, async (out) => {
      await new Promise<void>((resolve, reject) => {
        out.write(text, (error) => {
          if (error) {
            reject(error);
          } else {
            resolve();
          }
        });
      });
    });
  }
}

function reportFailure(error: unknown, io: CliIo, silent: boolean): Finding {
  const finding = findingFromError(error);
  if (!silent) {
    io.stderr(`\n\n${prettyFinding(finding)}\n`);
    if (finding.kind === "IntegrityError") {
      io.stderr(
        ">> Are you restoring from a backup of the same version of Sentry?\n" +
          ">> Are you restoring onto a clean database?\n",
      );
    }
  }
  return finding;
}

async function execute(
  prepared: PreparedImport,
  opts: ImportCommandOptions,
  io: CliIo,
): Promise<void> {
  const silent = opts.silent === true;
  const key = prepared.openKey === null ? null : await prepared.openKey(io);
  let database: Database | null = null;
  // set once the plan passed and the run was recorded: only then can chunks have been committed
  const run = { recorded: false };
  try {
    const source: ByteSource =
      key === null
        ? fileSource(prepared.src)
        : (await openEncryptedBackup(fileSource(prepared.src), key.port, { label: prepared.src }))
            .plaintext;
    const dryRun = opts.dryRun === true;
    const flags = runFlags({ ...prepared.settings, chunkSize: 1 });
    let chunkSize = prepared.explicitChunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!dryRun) {
      const dataDir = opts.dataDir ?? DEFAULT_DATA_DIR;
      const databaseUrl = opts.databaseUrl ?? io.env["DATABASE_URL"];
      if (databaseUrl === undefined || databaseUrl === "") {
        mkdirSync(dataDir, { recursive: true });
      }
      database = await openDatabase({ databaseUrl, dataDir });
      await migrate(database);
      chunkSize = await resolveChunkSize(database, prepared, flags);
    }
    const progress = makeProgressReporter(!silent && opts.json !== true && process.stderr.isTTY);
    let report: ImportReport;
    try {
      const atomic = opts.atomic === true && database !== null;
      const importInto = (target: Database): Promise<ImportReport> =>
        runImport(target, source, {
          importUuid: prepared.importUuid,
          settings: { ...prepared.settings, chunkSize },
          // one connection carries an atomic import, so its models go one at a time
          concurrency: atomic
            ? 1
            : (positiveInt(opts.concurrency, "--concurrency") ??
              (database?.kind === "postgres" ? DEFAULT_POSTGRES_CONCURRENCY : 1)),
          dryRun,
          onProgress: progress.onProgress,
          onPlanned: async (plan) => {
            await recordRun(target, {
              importUuid: prepared.importUuid,
              source: prepared.src,
              scope: prepared.settings.scope,
              flags,
              chunkSize,
              status: "importing",
              plan,
            });
            // an atomic import's chunks vanish with its transaction: nothing to resume
            run.recorded = !atomic;
          },
        });
      report =
        database === null
          ? await importInto(noDatabase())
          : atomic
            ? await withAtomicImport(database, importInto)
            : await importInto(database);
    } finally {
      progress.stop();
    }
    if (database !== null) {
      await finishRun(database, prepared.importUuid, {
        status: "completed",
        summary: report.summary,
        findings: [],
      });
    }
    await writeFindings(prepared.findingsFile, []);
    if (opts.json === true) {
      io.stdout(summaryJson(report));
    } else if (!silent) {
      io.stdout(formatSummaryTable(report));
    }
  } catch (error) {
    if (error instanceof UsageError) {
      throw error;
    }
    const findings = [reportFailure(error, io, silent)];
    await writeFindings(prepared.findingsFile, findings);
    if (database !== null && run.recorded) {
      await finishRun(database, prepared.importUuid, { status: "failed", summary: null, findings });
      if (!silent) {
        io.stderr(
          `Chunks committed before the failure stay recorded; after fixing the cause, rerun with --import-uuid ${prepared.importUuid} to resume.\n`,
        );
      }
    }
    throw error;
  } finally {
    await database?.close();
    await key?.close();
  }
}

/** A dry run never touches a database; this one fails loudly if something tries. */
function noDatabase(): Database {
  const refuse = (): never => {
    throw new Error("a dry run must not use the database");
  };
  return { kind: "pglite", query: refuse, withTransaction: refuse, close: () => Promise.resolve() };
}

function buildImportCommand(
  name: "config" | "users",
  scope: ImportSettings["scope"],
  io: CliIo,
): Command {
  const command = new Command(name)
    .argument("<src>", "the export: plain JSON, or an encrypted backup tarball with a decrypt flag")
    .option("--decrypt-with <file>", "RSA private key (PEM) that decrypts an encrypted backup")
    .option(
      "--decrypt-with-gcp-kms <file>",
      "Sentry's KMS key file (project_id, location, key_ring, key, version) to decrypt with Cloud KMS",
    )
    .option(
      "--findings-file <file>",
      "write the findings (Sentry's JSON format) here; [] on success",
    )
    .option(
      "--merge-users",
      "map a user whose username exists (ignoring case) to the existing user",
    )
    .option("--filter-usernames <names>", "import only these users (comma-separated)")
    .option(
      "--filter-usernames-file <file>",
      "import only the users named in this file, one per line",
    )
    .option("--no-prompt", "answer yes to confirmations (accepted for Sentry compatibility)")
    .option("--silent", "print no progress and no summary")
    .option(
      "--database-url <url>",
      "a Postgres URL (default: $DATABASE_URL, else the embedded database)",
    )
    .option("--data-dir <dir>", `the embedded database's folder (default: ${DEFAULT_DATA_DIR})`)
    .option(
      "--import-uuid <uuid>",
      "import id; rerun with the same id to resume without duplicating",
    )
    .option(
      "--chunk-size <n>",
      `rows per chunk (default: ${String(DEFAULT_CHUNK_SIZE)}, as Sentry)`,
    )
    .option(
      "--concurrency <n>",
      `models imported at once (default: ${String(DEFAULT_POSTGRES_CONCURRENCY)} on Postgres, 1 embedded); above 1, the user and user-option runs also write two chunks at once when their rows cannot collide`,
    )
    .option("--dry-run", "validate and plan the import, write nothing")
    .option(
      "--atomic",
      "one transaction for the whole import, as Sentry's monolith does: a failure leaves nothing (models one at a time; nothing to resume)",
    )
    .option("--json", "print the summary as JSON")
    .addOption(
      new Option("--password-mode <mode>", "replacement password of imported users")
        .choices(["unusable", "pbkdf2"])
        .default("unusable"),
    )
    .option(
      "--pbkdf2-iterations <n>",
      `iterations in pbkdf2 mode (default: ${String(DEFAULT_PBKDF2_ITERATIONS)})`,
    );
  if (name === "config") {
    command
      .description("Import all configuration and administrator accounts (Sentry's `import config`)")
      .option(
        "--overwrite-configs",
        "overwrite colliding options, relays and roles instead of keeping them",
      );
  } else {
    command.description(
      "Import users and their own settings, without admin privileges (Sentry's `import users`)",
    );
  }
  command.addHelpText(
    "after",
    `
Every user imported is marked unclaimed and given an unusable password: they sign in again
through the lost-password flow. Bad input is rejected before anything is written. Each chunk
commits with its ledger row, so an interrupted import is resumed by rerunning it with the same
--import-uuid.

Examples:
  sentry-import ${name} backup.tar --decrypt-with key.pem
  sentry-import ${name} export.json --database-url postgres://localhost/sentry --findings-file findings.json
  sentry-import ${name} backup.tar --decrypt-with key.pem --dry-run --json

Exit codes: 0 success, 1 import or decryption failure, 2 usage error.`,
  );
  command.action(async (src: string, opts: ImportCommandOptions) => {
    const prepared = prepare(scope, src, opts);
    await execute(prepared, opts, io);
  });
  return command;
}

export const registerImportCommands: CommandModule = (program, io) => {
  program.addCommand(buildImportCommand("config", "Config", io));
  program.addCommand(buildImportCommand("users", "User", io));
};
