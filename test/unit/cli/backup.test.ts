import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { describeWithShared, readShared, sharedPath } from "../../support/shared.ts";
import { run } from "./runCli.ts";

const EXPORT = [
  { model: "sentry.user", pk: 1, fields: { username: "admin", email: "admin@example.com" } },
  { model: "sentry.option", pk: 2, fields: { key: "a", value: { nested: ["x", 1.5] } } },
];

describe("sentry-import backup (in-process)", () => {
  let dir: string;
  const at = (name: string): string => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sentry-import-cli-"));
    await writeFile(at("export.json"), JSON.stringify(EXPORT, null, 2));
    const keygen = await run(["backup", "keygen", at("key.pem"), at("key.pub"), "--bits", "2048"]);
    if (keygen.code !== 0) {
      throw new Error(`keygen failed: ${keygen.stderr}`);
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keygen writes a PKCS#8 private key (mode 0600) and an SPKI public key", async () => {
    expect(await readFile(at("key.pem"), "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(await readFile(at("key.pub"), "utf8")).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect((await stat(at("key.pem"))).mode & 0o777).toBe(0o600);
  });

  it("keygen refuses to overwrite existing files unless --force (exit 2)", async () => {
    const before = await readFile(at("key.pem"), "utf8");
    const refused = await run([
      "backup",
      "keygen",
      at("key.pem"),
      at("other.pub"),
      "--bits",
      "2048",
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/key\.pem' already exists; pass --force/);
    expect(await readFile(at("key.pem"), "utf8")).toBe(before);
    const forced = await run(["backup", "keygen", at("k2.pem"), at("k2.pub"), "--bits", "2048"]);
    expect(forced.code).toBe(0);
    const again = await run([
      "backup",
      "keygen",
      at("k2.pem"),
      at("k2.pub"),
      "--bits",
      "2048",
      "--force",
    ]);
    expect(again.code).toBe(0);
  });

  it("keygen rejects an unsupported --bits value (exit 2)", async () => {
    const result = await run(["backup", "keygen", at("x.pem"), at("x.pub"), "--bits", "1024"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("must be one of 2048, 3072, 4096");
  });

  it("encrypt then decrypt round-trips the JSON, re-serialised compactly", async () => {
    const encrypted = await run([
      "backup",
      "encrypt",
      at("export.json"),
      at("backup.tar"),
      "--encrypt-with",
      at("key.pub"),
    ]);
    expect(encrypted).toMatchObject({ code: 0, stderr: "" });
    const archive = await readFile(at("backup.tar"));
    expect(archive.length % 10_240).toBe(0);
    expect(archive.toString("latin1", 0, 11)).toBe("export.json");

    const decrypted = await run([
      "backup",
      "decrypt",
      "--src",
      at("backup.tar"),
      at("plain.json"),
      "--decrypt-with",
      at("key.pem"),
    ]);
    expect(decrypted).toMatchObject({ code: 0, stderr: "" });
    expect(await readFile(at("plain.json"), "utf8")).toBe(JSON.stringify(EXPORT));
  });

  it("decrypt with the wrong key exits 1, names the key, and writes nothing", async () => {
    await run([
      "backup",
      "encrypt",
      at("export.json"),
      at("wrong.tar"),
      "--encrypt-with",
      at("key.pub"),
    ]);
    const result = await run([
      "backup",
      "decrypt",
      at("wrong.tar"),
      at("never.json"),
      "--decrypt-with",
      at("k2.pem"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: The public key does not match .*k2\.pem/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect((await readdir(dir)).filter((name) => name.includes("never"))).toEqual([]);
  });

  it("shows the stack trace with --debug or SENTRY_IMPORT_DEBUG=1", async () => {
    const args = [
      "backup",
      "decrypt",
      at("wrong.tar"),
      at("never.json"),
      "--decrypt-with",
      at("k2.pem"),
    ];
    expect((await run([...args, "--debug"])).stderr).toMatch(/\n\s+at /);
    expect((await run(args, { SENTRY_IMPORT_DEBUG: "1" })).stderr).toMatch(
      /public_key_mismatch[\s\S]*\n\s+at /,
    );
  });

  it("encrypt of invalid JSON exits 1 with the file and byte offset, and writes nothing", async () => {
    await writeFile(at("broken.json"), '[{"model": "sentry.user",]');
    const result = await run([
      "backup",
      "encrypt",
      at("broken.json"),
      at("broken.tar"),
      "--encrypt-with",
      at("key.pub"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Invalid input JSON in .*broken\.json at byte 25/);
    expect((await readdir(dir)).filter((name) => name.includes("broken.tar"))).toEqual([]);
  });

  it("decrypt of a file that is not a tar exits 1 and names it", async () => {
    const result = await run([
      "backup",
      "decrypt",
      at("export.json"),
      at("x.json"),
      "--decrypt-with",
      at("key.pem"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/export\.json is not a (valid )?tar archive/);
  });

  it.each([
    [
      "no key flag",
      ["backup", "decrypt", "SRC", "DEST"],
      /one of --decrypt-with FILE or --decrypt-with-gcp-kms FILE is required/,
    ],
    [
      "both key flags",
      ["backup", "decrypt", "SRC", "DEST", "--decrypt-with", "a", "--decrypt-with-gcp-kms", "b"],
      /cannot be used with/,
    ],
    [
      "both encrypt flags",
      ["backup", "encrypt", "SRC", "DEST", "--encrypt-with", "a", "--encrypt-with-gcp-kms", "b"],
      /cannot be used with/,
    ],
    [
      "an unreadable source",
      ["backup", "decrypt", "missing.tar", "DEST", "--decrypt-with", "KEY"],
      /'SRC': 'missing\.tar' does not exist/,
    ],
    [
      "an unreadable key",
      ["backup", "decrypt", "SRC", "DEST", "--decrypt-with", "nokey.pem"],
      /'--decrypt-with': 'nokey\.pem' does not exist/,
    ],
    [
      "a missing destination",
      ["backup", "decrypt", "SRC", "--decrypt-with", "KEY"],
      /missing the destination path/,
    ],
    [
      "--src plus a positional source",
      ["backup", "decrypt", "SRC", "DEST", "--src", "SRC", "--decrypt-with", "KEY"],
      /either as <src> or with --src/,
    ],
    [
      "a destination folder that does not exist",
      ["backup", "decrypt", "SRC", "nodir/out.json", "--decrypt-with", "KEY"],
      /folder of '.*nodir\/out\.json' does not exist/,
    ],
    [
      "'-' as the destination",
      ["backup", "decrypt", "SRC", "-", "--decrypt-with", "KEY"],
      /'-' \(stdin\/stdout\) is not supported/,
    ],
    ["an unknown option", ["backup", "decrypt", "--frobnicate"], /unknown option '--frobnicate'/],
    ["an unknown command", ["backup", "frob"], /unknown command 'frob'/],
  ])("exits 2 on a usage error: %s", async (_name, args, message) => {
    const resolved = args.map((arg) =>
      arg === "SRC"
        ? at("backup.tar")
        : arg === "KEY"
          ? at("key.pem")
          : arg === "DEST"
            ? at("d.json")
            : arg.startsWith("nodir/")
              ? at(arg)
              : arg,
    );
    const result = await run(resolved);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("--help");
  });

  it("prints help with examples and exits 0", async () => {
    for (const command of [
      [],
      ["backup"],
      ["backup", "decrypt"],
      ["backup", "encrypt"],
      ["backup", "keygen"],
    ]) {
      const result = await run([...command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("Usage: sentry-import");
    }
    const decryptHelp = (await run(["backup", "decrypt", "--help"])).stdout;
    expect(decryptHelp).toContain("--decrypt-with-gcp-kms");
    expect(decryptHelp).toContain("Examples:");
  });

  it("reports an invalid KMS config file with exit 1, naming the file", async () => {
    await writeFile(at("kms.json"), JSON.stringify({ project_id: "p", location: "global" }));
    const result = await run([
      "backup",
      "decrypt",
      at("backup.tar"),
      at("k.json"),
      "--decrypt-with-gcp-kms",
      at("kms.json"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/KMS config file .*kms\.json/);
  });
});

describeWithShared("sentry-import backup decrypt on the golden vectors", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sentry-import-cli-golden-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ["fresh-install.tar", "fresh-install.json"],
    ["user-with-maximum-privileges.tar.gz", "user-with-maximum-privileges.json"],
  ])("decrypts %s to its fixture byte for byte", async (archive, fixture) => {
    const dest = join(dir, fixture);
    const result = await run([
      "backup",
      "decrypt",
      sharedPath("encrypted", archive),
      dest,
      "--decrypt-with",
      sharedPath("encrypted", "private.pem"),
    ]);
    expect(result.code).toBe(0);
    expect((await readFile(dest)).equals(await readShared("sentry", fixture))).toBe(true);
  });

  it("refuses other-private.pem with exit 1 and leaves no file", async () => {
    const result = await run([
      "backup",
      "decrypt",
      sharedPath("encrypted", "fresh-install.tar"),
      join(dir, "x.json"),
      "--decrypt-with",
      sharedPath("encrypted", "other-private.pem"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("The public key does not match");
    expect(await readdir(dir)).not.toContain("x.json");
  });
});
