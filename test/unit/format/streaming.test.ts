import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  makeLocalKeyDecryptor,
  makeLocalPublicKeyProvider,
} from "../../../lib/adapters/localKey.ts";
import { DecryptionError } from "../../../lib/errors.ts";
import { decryptBackupToFile } from "../../../lib/format/backupFiles.ts";
import { bufferSource, collectBytes, fileSource } from "../../../lib/format/byteSources.ts";
import { openEncryptedBackup } from "../../../lib/format/openBackup.ts";
import { writeEncryptedBackup } from "../../../lib/format/writeBackup.ts";
import { expectFailure, testKeyPair, type KeyPair } from "./kit.ts";

/** A synthetic multi-MB export: an array of user rows. */
function syntheticExport(rows: number): Buffer {
  const parts = ["["];
  for (let pk = 1; pk <= rows; pk += 1) {
    const row = {
      model: "sentry.user",
      pk,
      fields: { username: `user${pk}@example.com`, name: randomBytes(24).toString("hex") },
    };
    parts.push(`${pk === 1 ? "" : ","}${JSON.stringify(row)}`);
  }
  parts.push("]");
  return Buffer.from(parts.join(""));
}

describe("streaming decryption", () => {
  let pair: KeyPair;
  let dir: string;
  let plaintext: Buffer;
  let archivePath: string;

  beforeAll(async () => {
    pair = await testKeyPair();
    dir = await mkdtemp(join(tmpdir(), "sentry-import-stream-"));
    plaintext = syntheticExport(40_000);
    const out = new PassThrough();
    const collected = collectBytes(out);
    await writeEncryptedBackup(
      { plaintext: bufferSource(plaintext), plaintextLength: plaintext.length },
      makeLocalPublicKeyProvider(pair.publicKeyPem, "pub"),
      out,
    );
    archivePath = join(dir, "big.tar");
    await writeFile(archivePath, await collected);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("delivers a multi-MB plaintext in many pieces", async () => {
    expect(plaintext.length).toBeGreaterThan(4 * 1024 * 1024);
    const opened = await openEncryptedBackup(
      fileSource(archivePath),
      makeLocalKeyDecryptor(pair.privateKeyPem, "key.pem"),
      { label: "big.tar" },
    );
    const pieces: Buffer[] = [];
    for await (const piece of opened.plaintext()) {
      pieces.push(Buffer.from(piece));
    }
    expect(pieces.length).toBeGreaterThan(50);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(128 * 1024);
    expect(Buffer.concat(pieces).equals(plaintext)).toBe(true);
  });

  it("a token whose HMAC is bad yields pieces but never a completed iteration", async () => {
    const archive = await readFile(archivePath);
    // The last base64 characters of export.json encode the HMAC; alter one of them.
    const tokenEnd = 512 + tokenLength(archive);
    const index = tokenEnd - 10;
    archive[index] = archive[index] === 0x41 ? 0x42 : 0x41;
    const opened = await openEncryptedBackup(
      bufferSource(archive),
      makeLocalKeyDecryptor(pair.privateKeyPem, "key.pem"),
    );
    let pieces = 0;
    let completed = false;
    const iterate = async (): Promise<void> => {
      for await (const piece of opened.plaintext()) {
        pieces += piece.length > 0 ? 1 : 0;
      }
      completed = true;
    };
    await expectFailure(iterate(), DecryptionError, "hmac_mismatch");
    expect(pieces).toBeGreaterThan(0);
    expect(completed).toBe(false);

    const dest = join(dir, "out", "plain.json");
    await mkdir(join(dir, "out"));
    await expectFailure(
      decryptBackupToFile(
        bufferSource(archive),
        makeLocalKeyDecryptor(pair.privateKeyPem, "k"),
        dest,
      ),
      DecryptionError,
      "hmac_mismatch",
    );
    expect(await readdir(join(dir, "out"))).toEqual([]);
  });

  it("a consumer may stop early; the source can be iterated again afterwards", async () => {
    const opened = await openEncryptedBackup(
      fileSource(archivePath),
      makeLocalKeyDecryptor(pair.privateKeyPem, "key.pem"),
    );
    let seen = 0;
    for await (const piece of opened.plaintext()) {
      seen += piece.length;
      if (seen > 100_000) {
        break;
      }
    }
    expect(seen).toBeGreaterThan(100_000);
    expect((await collectBytes(opened.plaintext())).equals(plaintext)).toBe(true);
  });

  it("decrypts to a file atomically and reports the plaintext size", async () => {
    const dest = join(dir, "plain.json");
    const result = await decryptBackupToFile(
      fileSource(archivePath),
      makeLocalKeyDecryptor(pair.privateKeyPem, "key.pem"),
      dest,
    );
    expect(result.plaintextBytes).toBe(plaintext.length);
    expect((await readFile(dest)).equals(plaintext)).toBe(true);
    expect((await readdir(dir)).filter((name) => name.endsWith(".partial"))).toEqual([]);
  });
});

/** The size field of the first header (export.json). */
function tokenLength(archive: Buffer): number {
  return parseInt(archive.toString("latin1", 124, 135), 8);
}
