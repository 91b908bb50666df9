import { createCipheriv, createHmac, randomBytes } from "node:crypto";

import { ArchiveError } from "../errors.ts";
import type { FernetKey } from "./fernetKey.ts";

/**
 * Length in bytes of the base64url (padded) token for an `n`-byte plaintext, spec §2.1:
 * 57 bytes of framing plus the PKCS#7-padded ciphertext, base64-inflated.
 */
export function fernetTokenLength(plaintextLength: number): number {
  const raw = 57 + 16 * (Math.floor(plaintextLength / 16) + 1);
  return 4 * Math.ceil(raw / 3);
}

export interface FernetEncryptOptions {
  /** Seconds since the epoch for the token's timestamp; defaults to now. */
  readonly timestamp?: number;
  /** 16-byte IV; defaults to random. Fixed only in tests. */
  readonly iv?: Uint8Array;
}

/**
 * Encrypts a plaintext stream into a Fernet token's base64url text (with `=` padding, as
 * Python's `urlsafe_b64encode` writes it), streaming. The plaintext length is announced up front
 * so the tar header can state the token length before any byte is produced; a stream that
 * delivers a different number of bytes fails with `length_mismatch`.
 */
export async function* encryptFernetToken(
  plaintext: AsyncIterable<Uint8Array>,
  plaintextLength: number,
  key: FernetKey,
  options: FernetEncryptOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  yield* encodeBase64UrlStream(encryptFernetBytes(plaintext, plaintextLength, key, options));
}

async function* encryptFernetBytes(
  plaintext: AsyncIterable<Uint8Array>,
  plaintextLength: number,
  key: FernetKey,
  options: FernetEncryptOptions,
): AsyncGenerator<Buffer, void, undefined> {
  const iv = options.iv === undefined ? randomBytes(16) : Buffer.from(options.iv);
  const header = Buffer.alloc(25);
  header[0] = 0x80;
  header.writeBigUInt64BE(BigInt(Math.floor(options.timestamp ?? Date.now() / 1000)), 1);
  iv.copy(header, 9);
  const hmac = createHmac("sha256", key.signingKey).update(header);
  const cipher = createCipheriv("aes-128-cbc", key.encryptionKey, iv);
  yield header;

  let seen = 0;
  for await (const piece of plaintext) {
    seen += piece.byteLength;
    if (seen > plaintextLength) {
      throw lengthMismatch(plaintextLength, `more than ${plaintextLength}`);
    }
    const encrypted = cipher.update(piece);
    if (encrypted.length > 0) {
      hmac.update(encrypted);
      yield encrypted;
    }
  }
  if (seen !== plaintextLength) {
    throw lengthMismatch(plaintextLength, String(seen));
  }
  const last = cipher.final();
  hmac.update(last);
  yield last;
  yield hmac.digest();
}

/** Base64url-encodes a byte stream with `=` padding, cutting on 3-byte boundaries. */
export async function* encodeBase64UrlStream(
  bytes: AsyncIterable<Uint8Array>,
): AsyncGenerator<Buffer, void, undefined> {
  let carry = Buffer.alloc(0);
  for await (const piece of bytes) {
    const combined =
      carry.length === 0
        ? Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)
        : Buffer.concat([carry, piece]);
    const cut = combined.length - (combined.length % 3);
    carry = Buffer.from(combined.subarray(cut));
    if (cut > 0) {
      yield Buffer.from(combined.subarray(0, cut).toString("base64url"), "latin1");
    }
  }
  if (carry.length > 0) {
    const text = carry.toString("base64url");
    yield Buffer.from(text.padEnd(4 * Math.ceil(text.length / 4), "="), "latin1");
  }
}

function lengthMismatch(expected: number, got: string): ArchiveError {
  return new ArchiveError(
    "length_mismatch",
    `The plaintext was announced as ${expected} bytes but ${got} bytes arrived ` +
      `(did the input change while it was being encrypted?)`,
    { context: { expected } },
  );
}
