/* eslint vitest/expect-expect: ["error", { assertFunctionNames: ["expect", "expectFailure", "expectSentryLayout"] }] -- helpers assert */
import { createPublicKey, privateDecrypt } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  makeLocalKeyDecryptor,
  makeLocalPublicKeyProvider,
} from "../../../lib/adapters/localKey.ts";
import { ArchiveError, DecryptionError } from "../../../lib/errors.ts";
import { encryptBackupToFile } from "../../../lib/format/backupFiles.ts";
import { bufferSource, collectBytes } from "../../../lib/format/byteSources.ts";
import { detectCompression } from "../../../lib/format/compression.ts";
import { fernetTokenLength } from "../../../lib/format/fernetEncrypt.ts";
import { openEncryptedBackup } from "../../../lib/format/openBackup.ts";
import { OAEP_SHA256 } from "../../../lib/format/rsaOaep.ts";
import { readTarEntries } from "../../../lib/format/tarReader.ts";
import { encryptedBackupStream, writeEncryptedBackup } from "../../../lib/format/writeBackup.ts";
import type { PublicKeyProvider } from "../../../lib/ports.ts";
import { describeWithShared, readShared } from "../../support/shared.ts";
import { expectFailure, testKeyPair, type KeyPair } from "./kit.ts";

async function encrypt(plaintext: Buffer, provider: PublicKeyProvider): Promise<Buffer> {
  const out = new PassThrough();
  const collected = collectBytes(out);
  await writeEncryptedBackup(
    { plaintext: bufferSource(plaintext, 333), plaintextLength: plaintext.length },
    provider,
    out,
  );
  return collected;
}

async function decrypt(archive: Buffer, privateKeyPem: string | Buffer): Promise<Buffer> {
  const opened = await openEncryptedBackup(
    bufferSource(archive),
    makeLocalKeyDecryptor(privateKeyPem, "key.pem"),
  );
  return collectBytes(opened.plaintext());
}

/** Asserts Sentry's exact layout (§2.2) and returns the members. */
async function expectSentryLayout(archive: Buffer, publicPem: string): Promise<Buffer[]> {
  expect(detectCompression(archive)).toBe("none");
  expect(archive.length % 10_240).toBe(0);
  const bodies: Buffer[] = [];
  const names: string[] = [];
  let offset = 0;
  for await (const entry of readTarEntries(bufferSource(archive)(), "written")) {
    names.push(entry.name);
    const body = await collectBytes(entry.body);
    const header = archive.subarray(offset, offset + 512);
    expect(header.toString("latin1", 100, 108)).toBe("0000644\0");
    expect(header.toString("latin1", 108, 124)).toBe("0000000\u00000000000\0");
    expect(header.toString("latin1", 136, 148)).toBe("00000000000\0");
    expect(header.toString("latin1", 156, 157)).toBe("0");
    expect(header.toString("latin1", 257, 265)).toBe("ustar\u000000");
    expect(header.subarray(265, 512).every((byte) => byte === 0)).toBe(true);
    offset += 512 + Math.ceil(body.length / 512) * 512;
    bodies.push(body);
  }
  expect(names).toEqual(["export.json", "data.key", "key.pub"]);
  // Two zero blocks, then zeros to the record boundary.
  expect(archive.length - offset).toBeGreaterThanOrEqual(1024);
  expect(archive.subarray(offset).every((byte) => byte === 0)).toBe(true);
  const [token, dataKey, keyPub] = bodies;
  expect(keyPub?.toString("utf8")).toBe(publicPem);
  expect(keyPub?.toString("utf8")).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  expect(token?.toString("latin1")).toMatch(/^gAAAAA[A-Za-z0-9_-]+={0,2}$/);
  expect(dataKey).toHaveLength(256);
  return bodies;
}

describe("the backup writer", () => {
  let pair: KeyPair;
  beforeAll(async () => {
    pair = await testKeyPair();
  });

  it("round-trips with generated keys in Sentry's exact layout", async () => {
    const plaintext = Buffer.from('[{"model":"sentry.user","pk":1,"fields":{"username":"a"}}]');
    const archive = await encrypt(plaintext, makeLocalPublicKeyProvider(pair.publicKeyPem, "pub"));
    const [token, dataKey] = await expectSentryLayout(archive, pair.publicKeyPem);
    expect(token).toHaveLength(fernetTokenLength(plaintext.length));
    const dek = privateDecrypt(
      { key: pair.privateKeyPem, ...OAEP_SHA256 },
      dataKey ?? Buffer.alloc(0),
    );
    expect(dek.toString("latin1")).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(await decrypt(archive, pair.privateKeyPem)).toEqual(plaintext);
  });

  it("writes exactly 10,240 bytes for a tiny export", async () => {
    const archive = await encrypt(
      Buffer.from("[]"),
      makeLocalPublicKeyProvider(pair.publicKeyPem, "pub"),
    );
    expect(archive).toHaveLength(10_240);
  });

  it("round-trips an empty plaintext", async () => {
    const archive = await encrypt(
      Buffer.alloc(0),
      makeLocalPublicKeyProvider(pair.publicKeyPem, "pub"),
    );
    expect(await decrypt(archive, pair.privateKeyPem)).toEqual(Buffer.alloc(0));
  });

  it("uses a fresh DEK and IV every time", async () => {
    const provider = makeLocalPublicKeyProvider(pair.publicKeyPem, "pub");
    const first = await encrypt(Buffer.from("[]"), provider);
    const second = await encrypt(Buffer.from("[]"), provider);
    expect(first.subarray(512, 1024)).not.toEqual(second.subarray(512, 1024));
    expect(first.subarray(1536, 2048)).not.toEqual(second.subarray(1536, 2048));
  });

  it("puts the SPKI PEM in key.pub when given a PKCS#1 public key, so local decryption works", async () => {
    const pkcs1 = createPublicKey(pair.publicKeyPem).export({
      type: "pkcs1",
      format: "pem",
    }) as string;
    expect(pkcs1).toMatch(/BEGIN RSA PUBLIC KEY/);
    const archive = await encrypt(
      Buffer.from("[1]"),
      makeLocalPublicKeyProvider(pkcs1, "pkcs1.pem"),
    );
    await expectSentryLayout(archive, pair.publicKeyPem);
    expect((await decrypt(archive, pair.privateKeyPem)).toString()).toBe("[1]");
  });

  it("rejects a public key file that is not an RSA PEM as bad_public_key", () => {
    expect(() => makeLocalPublicKeyProvider("nonsense", "pub.pem")).toThrow(
      expect.objectContaining({
        code: "bad_public_key",
        message: expect.stringContaining("pub.pem") as string,
      }) as Error,
    );
  });

  it("writes verbatim the PEM a provider (such as KMS) returns", async () => {
    const provider: PublicKeyProvider = {
      description: "a stand-in",
      publicKeyPem: () => Promise.resolve(pair.publicKeyPem),
    };
    const archive = await encrypt(Buffer.from("[]"), provider);
    await expectSentryLayout(archive, pair.publicKeyPem);
  });

  it("fails with length_mismatch when the plaintext is shorter or longer than announced", async () => {
    const provider = makeLocalPublicKeyProvider(pair.publicKeyPem, "pub");
    for (const announced of [5, 7]) {
      const out = new PassThrough();
      out.resume();
      await expectFailure(
        writeEncryptedBackup(
          { plaintext: bufferSource(Buffer.from("123456")), plaintextLength: announced },
          provider,
          out,
        ),
        ArchiveError,
        "length_mismatch",
      );
    }
  });

  it("streams: the first tar bytes come out before the plaintext has been read", async () => {
    let pulled = 0;
    const plaintextLength = 64 * 1024 * 20;
    async function* slowPlaintext(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 20; i += 1) {
        pulled += 1;
        yield await Promise.resolve(Buffer.alloc(64 * 1024, 0x20));
      }
    }
    const stream = await encryptedBackupStream(
      { plaintext: slowPlaintext, plaintextLength },
      makeLocalPublicKeyProvider(pair.publicKeyPem, "pub"),
    );
    const first = await stream.next();
    expect(first.done).toBe(false);
    expect(pulled).toBe(0);
    await stream.next();
    await stream.next();
    expect(pulled).toBeLessThan(5);
    await stream.return(undefined);
  });

  describe("encryptBackupToFile", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "sentry-import-writer-"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("writes the archive and leaves no temporary file", async () => {
      const dest = join(dir, "backup.tar");
      const plaintext = Buffer.from("[]");
      await encryptBackupToFile(
        { plaintext: bufferSource(plaintext), plaintextLength: 2 },
        makeLocalPublicKeyProvider(pair.publicKeyPem, "pub"),
        dest,
      );
      expect(await readdir(dir)).toEqual(["backup.tar"]);
      expect(await decrypt(await readFile(dest), pair.privateKeyPem)).toEqual(plaintext);
    });

    it("leaves neither the destination nor a temporary file when encryption fails", async () => {
      const dest = join(dir, "failed.tar");
      await expectFailure(
        encryptBackupToFile(
          { plaintext: bufferSource(Buffer.from("[]")), plaintextLength: 3 },
          makeLocalPublicKeyProvider(pair.publicKeyPem, "pub"),
          dest,
        ),
        ArchiveError,
        "length_mismatch",
      );
      expect(await readdir(dir)).toEqual(["backup.tar"]);
    });
  });
});

describeWithShared("the backup writer with the shared key pairs (§15)", () => {
  it("encrypts for other-public.pem; other-private.pem decrypts and private.pem is refused", async () => {
    const [otherPublic, otherPrivate, privatePem, fixture] = await Promise.all([
      readShared("encrypted", "other-public.pem"),
      readShared("encrypted", "other-private.pem"),
      readShared("encrypted", "private.pem"),
      readShared("sentry", "fresh-install.json"),
    ]);
    const archive = await encrypt(
      fixture,
      makeLocalPublicKeyProvider(otherPublic, "other-public.pem"),
    );
    const [, dataKey, keyPub] = await expectSentryLayout(archive, otherPublic.toString("utf8"));
    expect(keyPub).toEqual(otherPublic);
    const dek = privateDecrypt({ key: otherPrivate, ...OAEP_SHA256 }, dataKey ?? Buffer.alloc(0));
    expect(dek).toHaveLength(44);
    expect((await decrypt(archive, otherPrivate)).equals(fixture)).toBe(true);
    await expectFailure(decrypt(archive, privatePem), DecryptionError, "public_key_mismatch");
  });
});
