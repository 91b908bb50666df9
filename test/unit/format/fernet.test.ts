/* eslint vitest/expect-expect: ["error", { assertFunctionNames: ["expect", "expectFailure", "expectSentryLayout"] }] -- helpers assert */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";

import { DecryptionError } from "../../../lib/errors.ts";
import { bufferSource, collectBytes } from "../../../lib/format/byteSources.ts";
import { decryptFernetToken } from "../../../lib/format/fernetDecrypt.ts";
import { encryptFernetToken, fernetTokenLength } from "../../../lib/format/fernetEncrypt.ts";
import { generateFernetKeyText, parseFernetKey } from "../../../lib/format/fernetKey.ts";
import { ArchiveError } from "../../../lib/errors.ts";
import { base64urlPadded, craftTokenBytes, encryptRawBlocks, expectFailure } from "./kit.ts";

const key = parseFernetKey(generateFernetKeyText(), "test key");

async function encrypt(plaintext: Buffer, pieceSize = 1000): Promise<Buffer> {
  return collectBytes(
    encryptFernetToken(bufferSource(plaintext, pieceSize)(), plaintext.length, key),
  );
}

async function decrypt(token: Buffer | string, pieceSize = 1000): Promise<Buffer> {
  const bytes = typeof token === "string" ? Buffer.from(token, "latin1") : token;
  return collectBytes(decryptFernetToken(bufferSource(bytes, pieceSize)(), key, "token"));
}

describe("Fernet tokens", () => {
  it.each([0, 1, 15, 16, 17, 31, 32, 1000, 65_537])(
    "round-trips a %i-byte plaintext with the token length of §2.1",
    async (length) => {
      const plaintext = randomBytes(length);
      const token = await encrypt(plaintext);
      expect(token.length).toBe(fernetTokenLength(length));
      expect(token.toString("latin1")).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
      expect(token.length % 4).toBe(0);
      expect(await decrypt(token)).toEqual(plaintext);
    },
  );

  it("writes version 0x80 and the current time", async () => {
    const before = Math.floor(Date.now() / 1000);
    const raw = Buffer.from((await encrypt(Buffer.from("{}"))).toString("latin1"), "base64url");
    expect(raw[0]).toBe(0x80);
    const stamp = Number(raw.readBigUInt64BE(1));
    expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it("matches the formula for a 10,686-byte plaintext (fresh-install: 14,328 bytes)", () => {
    expect(fernetTokenLength(10_686)).toBe(14_328);
  });

  it("decrypts correctly whatever the piece boundaries are, down to one byte", async () => {
    const plaintext = randomBytes(300);
    const token = await encrypt(plaintext, 7);
    for (const pieceSize of [1, 2, 3, 5, 25, 33, 64, 4096]) {
      expect(await decrypt(token, pieceSize)).toEqual(plaintext);
    }
  });

  it("accepts the token without padding and with whitespace anywhere", async () => {
    const plaintext = Buffer.from('[{"model":"sentry.user"}]');
    const text = (await encrypt(plaintext)).toString("latin1");
    expect(text.endsWith("=")).toBe(true);
    expect(await decrypt(text.replace(/=+$/, ""))).toEqual(plaintext);
    const spaced = `  ${text.slice(0, 10)}\n${text.slice(10, 50)}\r\n\t${text.slice(50)}\n`;
    expect(await decrypt(spaced, 3)).toEqual(plaintext);
  });

  it("ignores the timestamp: a token from 1970 still decrypts (no TTL)", async () => {
    const token = base64urlPadded(
      craftTokenBytes(key, { timestamp: 0n, plaintext: Buffer.from("x") }),
    );
    expect((await decrypt(token)).toString()).toBe("x");
  });

  it("rejects characters outside the base64url alphabet as bad_token_base64", async () => {
    const text = (await encrypt(Buffer.from("hello"))).toString("latin1");
    for (const bad of [
      `${text.slice(0, 20)}+${text.slice(21)}`,
      `${text.slice(0, 8)}*${text.slice(9)}`,
    ]) {
      const error = await expectFailure(decrypt(bad), DecryptionError, "bad_token_base64");
      expect(error.message).toMatch(/token.*not in the base64url alphabet/);
    }
  });

  it("rejects data after padding and impossible lengths as bad_token_base64", async () => {
    const text = (await encrypt(Buffer.from("hello"))).toString("latin1").replace(/=+$/, "");
    await expectFailure(
      decrypt(`${text.slice(0, 8)}==${text.slice(8)}`),
      DecryptionError,
      "bad_token_base64",
    );
    await expectFailure(decrypt("gAAAAAAAB"), DecryptionError, "bad_token_base64");
    await expectFailure(decrypt("gAAAA"), DecryptionError, "bad_token_base64");
    await expectFailure(decrypt(`${text}===`), DecryptionError, "bad_token_base64");
  });

  it("rejects a wrong version byte as bad_token_version", async () => {
    const token = base64urlPadded(craftTokenBytes(key, { version: 0x81 }));
    await expectFailure(decrypt(token), DecryptionError, "bad_token_version");
  });

  it("rejects short and empty tokens as token_too_short", async () => {
    const full = craftTokenBytes(key);
    await expectFailure(
      decrypt(base64urlPadded(full.subarray(0, 72))),
      DecryptionError,
      "token_too_short",
    );
    await expectFailure(
      decrypt(base64urlPadded(full.subarray(0, 10))),
      DecryptionError,
      "token_too_short",
    );
    await expectFailure(decrypt(""), DecryptionError, "token_too_short");
  });

  it("rejects any flipped byte as hmac_mismatch", async () => {
    const raw = craftTokenBytes(key, { plaintext: randomBytes(100) });
    for (const index of [1, 9, 30, raw.length - 40, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      await expectFailure(decrypt(base64urlPadded(tampered)), DecryptionError, "hmac_mismatch");
    }
  });

  it("rejects a token signed with another key as hmac_mismatch", async () => {
    const other = parseFernetKey(generateFernetKeyText(), "other");
    const token = base64urlPadded(craftTokenBytes(other));
    await expectFailure(decrypt(token), DecryptionError, "hmac_mismatch");
  });

  it("checks the padding only after the HMAC: a signed bad padding is bad_padding", async () => {
    const iv = randomBytes(16);
    const block = Buffer.alloc(16, 0x41);
    block[15] = 0x00; // PKCS#7 never ends in 0
    const ciphertext = encryptRawBlocks(key, iv, block);
    const token = base64urlPadded(craftTokenBytes(key, { iv, ciphertext }));
    await expectFailure(decrypt(token), DecryptionError, "bad_padding");
  });

  it("rejects a signed ciphertext that is not whole blocks as bad_padding", async () => {
    const token = base64urlPadded(craftTokenBytes(key, { ciphertext: randomBytes(20) }));
    await expectFailure(decrypt(token), DecryptionError, "bad_padding");
  });

  it("fails the encryption when the plaintext is not the announced length", async () => {
    const run = (announced: number): Promise<Buffer> =>
      collectBytes(encryptFernetToken(bufferSource(Buffer.alloc(10))(), announced, key));
    await expectFailure(run(9), ArchiveError, "length_mismatch");
    await expectFailure(run(11), ArchiveError, "length_mismatch");
  });
});

describe("Fernet keys", () => {
  it("generates 44 base64url characters ending in = that decode to 32 bytes", () => {
    const text = generateFernetKeyText().toString("latin1");
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(Buffer.from(text, "base64url")).toHaveLength(32);
  });

  it("rejects raw 32-byte keys and other shapes as bad_dek", () => {
    expect(() => parseFernetKey(randomBytes(32), "kms")).toThrow(/32 raw key bytes/);
    for (const text of ["", "a".repeat(44), `${"a".repeat(43)}!`, `${"a".repeat(42)}==`]) {
      expect(() => parseFernetKey(Buffer.from(text), "kms")).toThrow(
        expect.objectContaining({ code: "bad_dek" }) as Error,
      );
    }
  });
});
