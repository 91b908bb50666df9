/**
 * A handful of the bad-input corpus through the real executable
 * (`node bin/sentry-import.js config FILE --findings-file F`), on server Postgres and on the
 * embedded database: exit 1, one finding in Sentry's shape naming kind, model and position, the
 * kind on stderr, and nothing written. Accepted inputs exit 0 with `[]` as findings.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePgliteDatabase } from "../../../lib/adapters/pglite.ts";
import type { Finding } from "../../../lib/findings.ts";
import { createPgTestDatabase } from "../../support/db.ts";
import type { TestPgDatabase } from "../../support/db.ts";
import { nonEmptyTables, resetDatabase } from "../../support/faults.ts";
import { ACCEPTED, REJECTED } from "./corpus.ts";
import type { AcceptedCase, RejectedCase } from "./corpus.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const BIN = join(ROOT, "bin/sentry-import.js");

interface Exit {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the executable with the project's Node first on PATH, as npm scripts do. */
async function cli(args: readonly string[]): Promise<Exit> {
  return new Promise((resolveRun) => {
    execFile(
      "node",
      [BIN, ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PATH: `${join(ROOT, "node_modules/.bin")}${delimiter}${process.env["PATH"] ?? ""}`,
          DATABASE_URL: "",
          SENTRY_IMPORT_DEBUG: "",
        },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolveRun({ code, stdout, stderr });
      },
    );
  });
}

function rejected(name: string): RejectedCase {
  const found = REJECTED.find((c) => c.name === name);
  if (found === undefined) {
    throw new Error(`no rejected case named ${name}`);
  }
  return found;
}

function accepted(name: string): AcceptedCase {
  const found = ACCEPTED.find((c) => c.name === name);
  if (found === undefined) {
    throw new Error(`no accepted case named ${name}`);
  }
  return found;
}

const REJECTED_VIA_CLI = [
  "top level is an object, not an array",
  "JSON truncated inside a row",
  "invalid UTF-8 in a row",
  "a number as username",
  "a username of 129 characters",
  "an invalid timezone user option (MiddleEarth/Gondor)",
  "one model in two runs (sentry.option at rows 1–2 and 5–5)",
  "a bad row far behind many good ones",
].map(rejected);

let dir: string;
let database: TestPgDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sentry-import-bad-input-"));
  database = await createPgTestDatabase();
});

afterAll(async () => {
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

async function runConfig(
  name: string,
  content: string | Uint8Array,
  target: readonly string[],
): Promise<{ exit: Exit; findings: Finding[] }> {
  const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, "-")}.json`);
  const findingsFile = `${file}.findings`;
  await writeFile(file, content);
  const exit = await cli([
    "config",
    file,
    "--findings-file",
    findingsFile,
    "--no-prompt",
    ...target,
  ]);
  const findings = JSON.parse(await readFile(findingsFile, "utf8")) as Finding[];
  return { exit, findings };
}

function expectFinding(exit: Exit, findings: readonly Finding[], bad: RejectedCase): void {
  expect(exit.code).toBe(1);
  expect(findings).toHaveLength(1);
  expect(Object.keys(findings[0] ?? {}).sort()).toEqual(
    ["finding", "kind", "left_pk", "on", "reason", "right_pk"].sort(),
  );
  expect(findings[0]).toMatchObject({
    finding: "RpcImportError",
    kind: bad.kind,
    on: { model: bad.model },
    right_pk: null,
    reason: expect.stringMatching(bad.reason) as unknown,
  });
  expect(findings[0]?.reason).toContain(
    bad.position === null ? "" : `(position ${String(bad.position)}`,
  );
  expect(exit.stderr).toContain(`kind: ${bad.kind}`);
}

describe("sentry-import config on server Postgres", () => {
  it.each(REJECTED_VIA_CLI)("rejects $name: exit 1, a finding, nothing written", async (bad) => {
    const db = database.open();
    await resetDatabase(db);

    const { exit, findings } = await runConfig(bad.name, bad.content, [
      "--database-url",
      database.url,
    ]);

    expectFinding(exit, findings, bad);
    // not even the import's own record: the plan failed before the run was recorded
    expect(await nonEmptyTables(db)).toEqual({});
  });

  it.each([accepted("an empty array"), accepted("unknown models only")])(
    "accepts $name: exit 0, no finding, nothing written but the run record",
    async (good) => {
      const db = database.open();
      await resetDatabase(db);

      const { exit, findings } = await runConfig(good.name, good.content, [
        "--database-url",
        database.url,
      ]);

      expect(exit).toMatchObject({ code: 0 });
      expect(findings).toEqual([]);
      expect(await nonEmptyTables(db)).toEqual({ "sentry_import.import_run": 1 });
    },
  );
});

describe("sentry-import config on the embedded database", () => {
  it("rejects a split run: exit 1, a finding, nothing written", async () => {
    const bad = rejected("one model in two runs (sentry.option at rows 1–2 and 5–5)");
    const dataDir = join(dir, "embedded");

    const { exit, findings } = await runConfig("embedded", bad.content, ["--data-dir", dataDir]);

    expectFinding(exit, findings, bad);
    const db = await makePgliteDatabase({ dataDir });
    try {
      expect(await nonEmptyTables(db)).toEqual({});
    } finally {
      await db.close();
    }
  });
});
