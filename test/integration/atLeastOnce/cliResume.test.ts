/**
 * The CLI's resume (import-semantics.md §17, CLI help): the real executable killed with SIGKILL
 * in the middle of an import, then run again with the same `--import-uuid`, ends with exactly
 * the rows of the export: none duplicated, none lost. Run once more, it writes nothing.
 *
 * The kill happens at a known point, not after some time: the test holds an uncommitted
 * `sentry_email` row with the address of a user of the third user chunk, so that chunk's
 * get-or-create waits for the test's transaction; the first two user chunks have committed.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePgDatabase } from "../../../lib/adapters/pg/database.ts";
import type { PgDatabase } from "../../../lib/adapters/pg/database.ts";
import { createPgTestDatabase } from "../../support/db.ts";
import type { TestPgDatabase } from "../../support/db.ts";
import { ledgerPkMapDisagreements, tableCounts } from "../../support/faults.ts";
import { expectedConfigImportCounts, writeExportFile } from "../../support/synthetic/index.ts";
import type { SyntheticExportOptions } from "../../support/synthetic/index.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const BIN = join(ROOT, "bin/sentry-import.js");

const EXPORT: SyntheticExportOptions = { seed: "cli resume", users: 60, tokenFraction: 0.3 };

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Starts the executable; `exit` settles when it ends. */
function start(args: readonly string[]): { kill(): void; exit: Promise<Exit> } {
  const child = spawn("node", [BIN, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      PATH: `${join(ROOT, "node_modules/.bin")}${delimiter}${process.env["PATH"] ?? ""}`,
      DATABASE_URL: "",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => {
    stderr += data.toString("utf8");
  });
  const exit = new Promise<Exit>((resolveExit) => {
    child.on("exit", (code, signal) => {
      resolveExit({ code, signal, stderr });
    });
  });
  return { kill: () => child.kill("SIGKILL"), exit };
}

let dir: string;
let database: TestPgDatabase;
let db: PgDatabase;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sentry-import-cli-resume-"));
  database = await createPgTestDatabase();
  db = database.open();
  file = join(dir, "export.json");
  await writeExportFile(file, EXPORT);
});

afterAll(async () => {
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

async function userLedgerRows(): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM sentry_controlimportchunk WHERE model = 'sentry.user'",
  );
  return rows[0]?.n ?? 0;
}

/** An address first used by a user of the third chunk of 10 (positions 21–30 of the run). */
async function addressOfThirdChunk(): Promise<string> {
  const rows = JSON.parse(await readFile(file, "utf8")) as {
    model: string;
    fields: { email: string };
  }[];
  const emails = rows.filter((r) => r.model === "sentry.user").map((r) => r.fields.email);
  const earlier = new Set(emails.slice(0, 20).map((e) => e.toLowerCase()));
  const address = emails.slice(20, 30).find((e) => e !== "" && !earlier.has(e.toLowerCase()));
  if (address === undefined) {
    throw new Error("no fresh address in the third user chunk");
  }
  return address;
}

/** Waits (polling, no fixed sleep) until a session of the CLI waits for a lock. */
async function untilTheCliWaits(): Promise<void> {
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'
         AND application_name <> 'blocker'`,
    );
    if ((rows[0]?.n ?? 0) > 0) {
      return;
    }
    await new Promise((resolveTick) => setTimeout(resolveTick, 5));
  }
}

describe("sentry-import config killed mid-import", () => {
  it("survives SIGKILL of the CLI, then a rerun with the same --import-uuid imports the rest exactly once", async () => {
    const uuid = randomUUID();
    const args = [
      "config",
      file,
      "--database-url",
      database.url,
      "--import-uuid",
      uuid,
      "--chunk-size",
      "10",
      "--concurrency",
      "1",
      "--silent",
    ];
    const blocker = makePgDatabase({
      connectionString: database.url,
      max: 1,
      application_name: "blocker",
    });
    let killed: Exit;
    try {
      killed = await blocker.withTransaction(async (tx) => {
        await tx.query("INSERT INTO sentry_email (email, date_added) VALUES ($1, now())", [
          await addressOfThirdChunk(),
        ]);
        const first = start(args);
        await untilTheCliWaits();
        first.kill();
        const exit = await first.exit;
        // the blocking row goes away with the test's transaction
        throw new Rollback(exit);
      });
    } catch (error) {
      if (!(error instanceof Rollback)) {
        throw error;
      }
      killed = error.exit;
    } finally {
      await blocker.close();
    }

    expect(killed.signal).toBe("SIGKILL");
    expect(await userLedgerRows()).toBe(2);

    const resumed = await start(args).exit;
    expect(resumed).toMatchObject({ code: 0 });
    const counts = await tableCounts(db);
    const expected = expectedConfigImportCounts(EXPORT);
    expect(
      Object.fromEntries(Object.keys(expected).map((t) => [t, counts[`public.${t}`]])),
    ).toEqual(expected);
    expect(await ledgerPkMapDisagreements(db)).toEqual([]);
    expect(counts["sentry_import.import_run"]).toBe(1);

    const again = await start(args).exit;
    expect(again).toMatchObject({ code: 0 });
    expect(await tableCounts(db)).toEqual(counts);
  });
});

class Rollback extends Error {
  readonly exit: Exit;
  constructor(exit: Exit) {
    super("roll back the blocking row");
    this.exit = exit;
  }
}
