import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { startKmsStandin, type KmsStandin } from "../../support/standins/kms.ts";
import { run } from "../../unit/cli/runCli.ts";

const CONFIG = {
  project_id: "test-project",
  location: "global",
  key_ring: "relocation",
  key: "relocation",
  version: "1",
};
const VERSION =
  "projects/test-project/locations/global/keyRings/relocation/cryptoKeys/relocation/cryptoKeyVersions/1";

describe("backup encrypt/decrypt with --…-gcp-kms against the KMS stand-in", () => {
  let kms: KmsStandin;
  let dir: string;
  let env: Record<string, string>;
  const at = (name: string): string => join(dir, name);

  beforeAll(async () => {
    kms = await startKmsStandin();
    kms.generateKey(VERSION, 2048);
    env = { SENTRY_IMPORT_KMS_ENDPOINT: `${kms.endpoint.host}:${kms.endpoint.port}` };
    dir = await mkdtemp(join(tmpdir(), "sentry-import-cli-kms-"));
    await writeFile(at("kms.json"), JSON.stringify(CONFIG));
    await writeFile(
      at("export.json"),
      JSON.stringify([{ model: "sentry.option", pk: 1, fields: { key: "k" } }], null, 2),
    );
  });
  afterAll(async () => {
    await kms.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    kms.reset();
  });

  it("encrypts with GetPublicKey and decrypts with AsymmetricDecrypt", async () => {
    const encrypted = await run(
      [
        "backup",
        "encrypt",
        at("export.json"),
        at("kms.tar"),
        "--encrypt-with-gcp-kms",
        at("kms.json"),
      ],
      env,
    );
    expect(encrypted).toMatchObject({ code: 0, stderr: "" });
    expect(kms.calls.getPublicKey).toBe(1);
    const decrypted = await run(
      [
        "backup",
        "decrypt",
        at("kms.tar"),
        at("plain.json"),
        "--decrypt-with-gcp-kms",
        at("kms.json"),
      ],
      env,
    );
    expect(decrypted).toMatchObject({ code: 0, stderr: "" });
    expect(kms.calls.asymmetricDecrypt).toBe(1);
    expect(JSON.parse(await readFile(at("plain.json"), "utf8"))).toEqual([
      { model: "sentry.option", pk: 1, fields: { key: "k" } },
    ]);
  });

  it("exits 1 and writes nothing when KMS answers with a corrupted plaintext CRC", async () => {
    await run(
      [
        "backup",
        "encrypt",
        at("export.json"),
        at("kms2.tar"),
        "--encrypt-with-gcp-kms",
        at("kms.json"),
      ],
      env,
    );
    kms.corruptNextPlaintextCrc();
    const result = await run(
      [
        "backup",
        "decrypt",
        at("kms2.tar"),
        at("never.json"),
        "--decrypt-with-gcp-kms",
        at("kms.json"),
      ],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("corrupted in-transit");
    expect(await readdir(dir)).not.toContain("never.json");
  });

  it("exits 2 on a malformed SENTRY_IMPORT_KMS_ENDPOINT", async () => {
    const result = await run(
      ["backup", "decrypt", at("kms.tar"), at("x.json"), "--decrypt-with-gcp-kms", at("kms.json")],
      { SENTRY_IMPORT_KMS_ENDPOINT: "nonsense" },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("HOST:PORT");
  });
});
