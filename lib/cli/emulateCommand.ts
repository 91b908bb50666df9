/**
 * `sentry-import emulate BACKUP`: runs the serverless pipeline on this machine against loopback
 * stand-ins of Cloud Storage, KMS and Cloud Tasks, and prints the same summary as `config`.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { Command } from "commander";
import { openDatabase } from "../adapters/database.ts";
import { makeLocalPublicKeyProvider } from "../adapters/localKey.ts";
import { summariseSchemaless } from "./emulateSummary.ts";
import { ImportFailure, UsageError } from "../errors.ts";
import { bufferSource, collectBytes } from "../format/byteSources.ts";
import { encryptedBackupStream } from "../format/writeBackup.ts";
import { makeJsonLogger, silentLogger } from "../log.ts";
import { migrate } from "../migrations/index.ts";
import { DEFAULT_CHUNK_SIZE } from "../planner/chunks.ts";
import type { CliIo } from "./io.ts";
import type { CommandModule } from "./main.ts";
import { requireReadableFile } from "./paths.ts";
import { formatSummaryTable } from "./summaryOutput.ts";

interface EmulateCommandOptions {
  readonly decryptWith?: string;
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly chaos?: string;
  readonly chunkSize?: string;
  readonly mergeUsers?: boolean;
  readonly overwriteConfigs?: boolean;
  readonly json?: boolean;
  readonly verbose?: boolean;
}

function wholeNumber(value: string | undefined, flag: string): number | null {
  if (value === undefined) {
    return null;
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new UsageError(`${flag} must be a whole number, got '${value}'`);
  }
  return n;
}

/** A plain JSON export is encrypted for a throwaway key, so the pipeline's KMS path still runs. */
async function archiveAndKey(
  src: string,
  keyPath: string | undefined,
): Promise<{ archive: Buffer; privateKeyPem: string }> {
  const bytes = readFileSync(src);
  if (keyPath !== undefined) {
    return { archive: bytes, privateKeyPem: readFileSync(keyPath, "utf8") };
  }
  const first = bytes.subarray(0, 64).toString("utf8").trimStart()[0];
  if (first !== "[") {
    throw new UsageError(
      `${src} is not a plain JSON export; an encrypted backup needs --decrypt-with KEY`,
    );
  }
  const keys = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const archive = await collectBytes(
    await encryptedBackupStream(
      { plaintext: bufferSource(bytes), plaintextLength: bytes.byteLength },
      makeLocalPublicKeyProvider(keys.publicKey, "a throwaway emulator key"),
    ),
  );
  return { archive, privateKeyPem: keys.privateKey };
}

async function runEmulate(srcArg: string, opts: EmulateCommandOptions, io: CliIo): Promise<void> {
  const src = requireReadableFile(srcArg, "'BACKUP'");
  const keyPath =
    opts.decryptWith === undefined
      ? undefined
      : requireReadableFile(opts.decryptWith, "'--decrypt-with'");
  const chaosSeed = wholeNumber(opts.chaos, "--chaos");
  const chunkSize = wholeNumber(opts.chunkSize, "--chunk-size") ?? DEFAULT_CHUNK_SIZE;
  if (chunkSize < 1) {
    throw new UsageError("--chunk-size must be at least 1");
  }
  const say = (line: string): void => {
    if (opts.json !== true) {
      io.stderr(`${line}\n`);
    }
  };
  const { archive, privateKeyPem } = await archiveAndKey(src, keyPath);
  const databaseUrl = opts.databaseUrl ?? io.env["DATABASE_URL"];
  if ((databaseUrl === undefined || databaseUrl === "") && opts.dataDir !== undefined) {
    mkdirSync(opts.dataDir, { recursive: true });
  }
  const database = await openDatabase({ databaseUrl, dataDir: opts.dataDir });
  try {
    await migrate(database);
    // loaded lazily: the emulator pulls in the Google clients and the Functions Framework
    const { emulate } = await import("../../emulator/emulate.ts");
    if (chaosSeed !== null) {
      say(
        `chaos seed ${String(chaosSeed)}: duplicated events and deliveries, lost answers, transient database failures`,
      );
    }
    const result = await emulate({
      archive,
      privateKeyPem,
      objectName: `backups/${basename(src)}`,
      database,
      settings: {
        scope: "Config",
        chunkSize,
        flags: {
          mergeUsers: opts.mergeUsers === true,
          overwriteConfigs: opts.overwriteConfigs === true,
          passwordMode: { kind: "unusable" },
        },
        usernameFilter: null,
      },
      chaosSeed,
      log:
        opts.verbose === true
          ? makeJsonLogger((line) => {
              io.stderr(line);
            })
          : silentLogger,
      say,
    });
    say(
      `${String(result.eventDeliveries)} finalize event(s), ${String(result.deliveries)} task deliveries (${String(result.duplicateDeliveries)} duplicated)`,
    );
    const status = result.run?.status ?? "unknown";
    const summary = summariseSchemaless(result.counts);
    if (opts.json === true) {
      io.stdout(
        `${JSON.stringify({ import_uuid: result.importUuid, status, summary, findings: result.findings }, null, 2)}\n`,
      );
    } else if (summary !== null) {
      io.stdout(
        formatSummaryTable({
          importUuid: result.importUuid,
          dryRun: false,
          summary,
          unresolvedReferences: [],
        }),
      );
    }
    if (status !== "completed") {
      const reasons = Array.isArray(result.findings)
        ? (result.findings as { kind?: string; reason?: string }[]).map(
            (f) => `${f.kind ?? "?"}: ${f.reason ?? ""}`,
          )
        : [];
      throw new ImportFailure(
        "Unknown",
        `the pipeline's run ended ${status}${reasons.length > 0 ? `: ${reasons.join("; ")}` : ""}`,
      );
    }
  } finally {
    await database.close();
  }
}

export const registerEmulateCommand: CommandModule = (program, io) => {
  program.addCommand(
    new Command("emulate")
      .description(
        "Run the serverless pipeline on this machine, against local stand-ins of Cloud Storage, KMS and Cloud Tasks",
      )
      .argument("<backup>", "an encrypted backup (with --decrypt-with), or a plain JSON export")
      .option(
        "--decrypt-with <file>",
        "the RSA private key the backup was encrypted for (loaded into the KMS stand-in)",
      )
      .option(
        "--database-url <url>",
        "a Postgres URL (default: $DATABASE_URL, else an embedded database)",
      )
      .option("--data-dir <dir>", "keep the embedded database in this folder (default: in memory)")
      .option("--chaos <seed>", "make delivery hostile, reproducibly from the seed")
      .option("--chunk-size <n>", `rows per chunk (default: ${String(DEFAULT_CHUNK_SIZE)})`)
      .option("--merge-users", "as for `config`")
      .option("--overwrite-configs", "as for `config`")
      .option("--json", "print the result as JSON")
      .option("--verbose", "print the functions' structured logs to stderr")
      .addHelpText(
        "after",
        `
Both functions run under the Functions Framework and reach the stand-ins through the real Google
client libraries, exactly as deployed. A plain JSON export is first encrypted for a throwaway key.

Examples:
  sentry-import emulate examples/example-backup.tar --decrypt-with examples/example-key.pem
  sentry-import emulate examples/example-export.json --chaos 7 --chunk-size 5

Exit codes: 0 the run completed, 1 it failed, 2 usage error.`,
      )
      .action(async (src: string, opts: EmulateCommandOptions) => {
        await runEmulate(src, opts, io);
      }),
  );
};
