import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { describeWithShared, readShared, sharedPath } from "../../support/shared.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const BIN = join(ROOT, "bin/sentry-import.js");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns the real executable with the project's Node first on PATH, as npm scripts do. */
function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolveRun) => {
    execFile(
      "node",
      [BIN, ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PATH: `${join(ROOT, "node_modules/.bin")}${delimiter}${process.env["PATH"] ?? ""}`,
          SENTRY_IMPORT_DEBUG: "",
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolveRun({ code, stdout, stderr });
      },
    );
  });
}

describe("the sentry-import executable", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sentry-import-bin-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints help and exits 0", async () => {
    const result = await cli(["backup", "decrypt", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--decrypt-with <private.pem>");
  });

  it("exits 2 on a usage error", async () => {
    const result = await cli(["backup", "decrypt", BIN, "b.json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("one of --decrypt-with FILE or --decrypt-with-gcp-kms FILE");
  });

  it("keygen, encrypt and decrypt round-trip through the process; a wrong key exits 1", async () => {
    const at = (name: string): string => join(dir, name);
    expect((await cli(["backup", "keygen", at("a.pem"), at("a.pub"), "--bits", "2048"])).code).toBe(
      0,
    );
    expect((await cli(["backup", "keygen", at("b.pem"), at("b.pub"), "--bits", "2048"])).code).toBe(
      0,
    );
    await writeFile(at("in.json"), '[ {"model": "sentry.option", "pk": 1, "fields": {}} ]\n');
    expect(
      (
        await cli([
          "backup",
          "encrypt",
          "--src",
          at("in.json"),
          at("out.tar"),
          "--encrypt-with",
          at("a.pub"),
        ])
      ).code,
    ).toBe(0);
    const ok = await cli([
      "backup",
      "decrypt",
      at("out.tar"),
      at("plain.json"),
      "--decrypt-with",
      at("a.pem"),
    ]);
    expect(ok.code).toBe(0);
    expect(await readFile(at("plain.json"), "utf8")).toBe(
      '[{"model":"sentry.option","pk":1,"fields":{}}]',
    );

    const wrong = await cli([
      "backup",
      "decrypt",
      at("out.tar"),
      at("never.json"),
      "--decrypt-with",
      at("b.pem"),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
    expect(wrong.stderr).toContain("b.pem");
    expect(await readdir(dir)).not.toContain("never.json");
  });
});

describeWithShared("the sentry-import executable on the golden vectors", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sentry-import-bin-golden-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("decrypts fresh-install.tar byte for byte and refuses other-private.pem", async () => {
    const dest = join(dir, "fresh.json");
    const good = await cli([
      "backup",
      "decrypt",
      sharedPath("encrypted", "fresh-install.tar"),
      dest,
      "--decrypt-with",
      sharedPath("encrypted", "private.pem"),
    ]);
    expect(good.code).toBe(0);
    expect((await readFile(dest)).equals(await readShared("sentry", "fresh-install.json"))).toBe(
      true,
    );
    const bad = await cli([
      "backup",
      "decrypt",
      sharedPath("encrypted", "fresh-install.tar"),
      join(dir, "x.json"),
      "--decrypt-with",
      sharedPath("encrypted", "other-private.pem"),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: The public key does not match/);
    expect(await readdir(dir)).toEqual(["fresh.json"]);
  });
});
