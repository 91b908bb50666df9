/* eslint vitest/expect-expect: ["error", { assertFunctionNames: ["expect", "expectFailure", "expectSentryLayout"] }] -- helpers assert */
import { createPublicKey, privateDecrypt } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { beforeAll, expect, it } from "vitest";

import { makeLocalKeyDecryptor } from "../../../lib/adapters/localKey.ts";
import { ArchiveError, DecryptionError } from "../../../lib/errors.ts";
import { bufferSource, collectBytes, fileSource } from "../../../lib/format/byteSources.ts";
import { detectCompression } from "../../../lib/format/compression.ts";
import { openEncryptedBackup } from "../../../lib/format/openBackup.ts";
import { OAEP_SHA256 } from "../../../lib/format/rsaOaep.ts";
import { readTarEntries } from "../../../lib/format/tarReader.ts";
import { ustarHeader } from "../../../lib/format/tarWriter.ts";
import { describeWithShared, readShared, sharedPath } from "../../support/shared.ts";
import { buildTar, expectFailure } from "./kit.ts";

interface Member {
  name: string;
  type: string;
  body: Buffer;
}

async function listMembers(tar: Buffer): Promise<Member[]> {
  const members: Member[] = [];
  for await (const entry of readTarEntries(bufferSource(tar)(), "golden")) {
    members.push({ name: entry.name, type: entry.type, body: await collectBytes(entry.body) });
  }
  return members;
}

/** Offsets of the three headers in Sentry's layout, given the member sizes. */
function headerOffsets(members: readonly Member[]): number[] {
  const offsets: number[] = [];
  let offset = 0;
  for (const member of members) {
    offsets.push(offset);
    offset += 512 + Math.ceil(member.body.length / 512) * 512;
  }
  return offsets;
}

function octalField(header: Buffer, start: number, length: number): number {
  return parseInt(header.toString("latin1", start, start + length).replace(/\0.*$/s, ""), 8);
}

describeWithShared("golden vectors from an independent implementation (§15)", () => {
  let privatePem: Buffer;
  let publicPem: Buffer;
  let otherPrivatePem: Buffer;
  let freshTar: Buffer;
  let freshJson: Buffer;
  let maxGz: Buffer;
  let maxJson: Buffer;

  beforeAll(async () => {
    [privatePem, publicPem, otherPrivatePem, freshTar, freshJson, maxGz, maxJson] =
      await Promise.all([
        readShared("encrypted", "private.pem"),
        readShared("encrypted", "public.pem"),
        readShared("encrypted", "other-private.pem"),
        readShared("encrypted", "fresh-install.tar"),
        readShared("sentry", "fresh-install.json"),
        readShared("encrypted", "user-with-maximum-privileges.tar.gz"),
        readShared("sentry", "user-with-maximum-privileges.json"),
      ]);
  });

  const decryptor = (): ReturnType<typeof makeLocalKeyDecryptor> =>
    makeLocalKeyDecryptor(privatePem, "private.pem");

  it("fresh-install.tar is an uncompressed tar of exactly the three members, in order", async () => {
    expect(detectCompression(freshTar)).toBe("none");
    expect(freshTar.length).toBe(20_480);
    expect(freshTar.length % 10_240).toBe(0);
    const members = await listMembers(freshTar);
    expect(members.map((m) => [m.name, m.type])).toEqual([
      ["export.json", "file"],
      ["data.key", "file"],
      ["key.pub", "file"],
    ]);
  });

  it("fresh-install.tar has ustar headers with mode 0644, uid/gid 0 and mtime 0", async () => {
    const members = await listMembers(freshTar);
    for (const offset of headerOffsets(members)) {
      const header = freshTar.subarray(offset, offset + 512);
      expect(header.toString("latin1", 257, 265)).toBe("ustar\u000000");
      expect(octalField(header, 100, 8)).toBe(0o644);
      expect(octalField(header, 108, 8)).toBe(0);
      expect(octalField(header, 116, 8)).toBe(0);
      expect(octalField(header, 136, 12)).toBe(0);
      expect(header.toString("latin1", 156, 157)).toBe("0");
    }
  });

  it("our ustar writer reproduces every golden header byte for byte", async () => {
    const members = await listMembers(freshTar);
    const offsets = headerOffsets(members);
    members.forEach((member, index) => {
      const offset = offsets[index] ?? 0;
      expect(ustarHeader(member.name, member.body.length)).toEqual(
        freshTar.subarray(offset, offset + 512),
      );
    });
  });

  it("key.pub equals public.pem and the SPKI PEM derived from private.pem", async () => {
    const keyPub = (await listMembers(freshTar))[2]?.body;
    expect(keyPub).toEqual(publicPem);
    expect(publicPem).toHaveLength(451);
    const derived = createPublicKey(privatePem).export({ type: "spki", format: "pem" });
    expect(keyPub?.toString("utf8")).toBe(derived);
  });

  it("data.key is 256 bytes and unwraps to a 44-character DEK ending in = (32 bytes)", async () => {
    const dataKey = (await listMembers(freshTar))[1]?.body ?? Buffer.alloc(0);
    expect(dataKey).toHaveLength(256);
    const dek = privateDecrypt({ key: privatePem, ...OAEP_SHA256 }, dataKey).toString("latin1");
    expect(dek).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(Buffer.from(dek, "base64url")).toHaveLength(32);
  });

  it("export.json is a 14,328-byte token with version 0x80", async () => {
    const token = (await listMembers(freshTar))[0]?.body ?? Buffer.alloc(0);
    expect(token).toHaveLength(14_328);
    expect(token.toString("latin1")).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
    expect(Buffer.from(token.toString("latin1"), "base64url")[0]).toBe(0x80);
  });

  it("fresh-install.tar decrypts to sentry/fresh-install.json byte for byte (31 rows)", async () => {
    const opened = await openEncryptedBackup(
      fileSource(sharedPath("encrypted", "fresh-install.tar")),
      decryptor(),
      { label: "fresh-install.tar" },
    );
    const plaintext = await collectBytes(opened.plaintext());
    expect(plaintext.equals(freshJson)).toBe(true);
    expect(JSON.parse(plaintext.toString("utf8"))).toHaveLength(31);
    // The source is re-openable: a second pass gives the same bytes.
    expect((await collectBytes(opened.plaintext())).equals(freshJson)).toBe(true);
  });

  it("user-with-maximum-privileges.tar.gz is gzip around a 10,240-byte tar", async () => {
    expect(detectCompression(maxGz)).toBe("gzip");
    const tar = gunzipSync(maxGz);
    expect(tar).toHaveLength(10_240);
    expect((await listMembers(tar)).map((m) => m.name)).toEqual([
      "export.json",
      "data.key",
      "key.pub",
    ]);
  });

  it("user-with-maximum-privileges.tar.gz decrypts to its fixture byte for byte", async () => {
    const opened = await openEncryptedBackup(
      fileSource(sharedPath("encrypted", "user-with-maximum-privileges.tar.gz")),
      decryptor(),
      { label: "user-with-maximum-privileges.tar.gz" },
    );
    expect((await collectBytes(opened.plaintext())).equals(maxJson)).toBe(true);
  });

  it("other-private.pem fails with the public-key mismatch before any RSA operation", async () => {
    const error = await expectFailure(
      openEncryptedBackup(
        bufferSource(freshTar),
        makeLocalKeyDecryptor(otherPrivatePem, "other-private.pem"),
      ),
      DecryptionError,
      "public_key_mismatch",
    );
    expect(error.message).toContain(
      "The public key does not match that generated by the `decrypt_with` private key.",
    );
  });

  it("with the comparison bypassed, other-private.pem fails in OAEP (dek_unwrap_failed)", async () => {
    const members = await listMembers(freshTar);
    const other = makeLocalKeyDecryptor(otherPrivatePem, "other-private.pem");
    const otherPub = createPublicKey(otherPrivatePem).export({ type: "spki", format: "pem" });
    await expectFailure(
      other.decryptDek({
        wrappedDek: members[1]?.body ?? Buffer.alloc(0),
        archivePublicKey: Buffer.from(otherPub),
      }),
      DecryptionError,
      "dek_unwrap_failed",
    );
  });

  it("rejects repacked golden archives: flipped token byte, extra, missing and ./ members", async () => {
    const [token, dataKey, keyPub] = (await listMembers(freshTar)).map((m) => m.body);
    if (token === undefined || dataKey === undefined || keyPub === undefined) {
      throw new Error("golden archive lost a member");
    }
    const open = (tar: Buffer): Promise<unknown> =>
      openEncryptedBackup(bufferSource(tar), decryptor(), { label: "repacked.tar" }).then(
        (opened) => collectBytes(opened.plaintext()),
      );
    const flipped = Buffer.from(token);
    flipped[5000] = flipped[5000] === 0x41 ? 0x42 : 0x41;
    await expectFailure(
      open(
        buildTar([
          { name: "export.json", body: flipped },
          { name: "data.key", body: dataKey },
          { name: "key.pub", body: keyPub },
        ]),
      ),
      DecryptionError,
      "hmac_mismatch",
    );
    const extra = await expectFailure(
      open(
        buildTar([
          { name: "export.json", body: token },
          { name: "data.key", body: dataKey },
          { name: "key.pub", body: keyPub },
          { name: "notes.txt", body: Buffer.from("hi") },
        ]),
      ),
      ArchiveError,
      "unknown_member",
    );
    expect(extra.message).toMatch(/Unknown tarball entity "notes\.txt" in repacked\.tar/);
    const missing = await expectFailure(
      open(
        buildTar([
          { name: "export.json", body: token },
          { name: "key.pub", body: keyPub },
        ]),
      ),
      ArchiveError,
      "missing_member",
    );
    expect(missing.message).toContain('"data.key"');
    const dotted = await expectFailure(
      open(
        buildTar([
          { name: "./export.json", body: token },
          { name: "data.key", body: dataKey },
          { name: "key.pub", body: keyPub },
        ]),
      ),
      ArchiveError,
      "unknown_member",
    );
    expect(dotted.message).toContain('"./export.json"');
    await expectFailure(open(freshTar.subarray(0, 9000)), ArchiveError, "truncated");
  });

  it("a garbage private key fails with a Could-not-deserialize error", () => {
    expect(() =>
      makeLocalKeyDecryptor(
        Buffer.from("-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n"),
        "garbage.pem",
      ),
    ).toThrow(/Could not deserialize/);
  });
});
