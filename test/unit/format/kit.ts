/** Builders for crafted tokens and archives: the malformed corpus is generated, never committed. */
import {
  createCipheriv,
  createHmac,
  createPublicKey,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import { expect } from "vitest";

import { generateRsaKeyPair } from "../../../lib/adapters/localKey.ts";
import type { FernetKey } from "../../../lib/format/fernetKey.ts";
import { OAEP_SHA256 } from "../../../lib/format/rsaOaep.ts";
import { TAR_RECORD, ustarHeader } from "../../../lib/format/tarWriter.ts";

export interface KeyPair {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

let cachedPair: Promise<KeyPair> | undefined;
/** One 2048-bit pair per test file (generation costs ~100 ms). */
export function testKeyPair(): Promise<KeyPair> {
  cachedPair ??= generateRsaKeyPair(2048);
  return cachedPair;
}

export interface TokenParts {
  readonly version?: number;
  readonly timestamp?: bigint;
  readonly iv?: Buffer;
  /** Raw ciphertext to sign as is; by default the PKCS#7-padded encryption of `plaintext`. */
  readonly ciphertext?: Buffer;
  readonly plaintext?: Buffer;
}

/** Raw Fernet token bytes, with an HMAC that verifies over whatever the parts are. */
export function craftTokenBytes(key: FernetKey, parts: TokenParts = {}): Buffer {
  const iv = parts.iv ?? randomBytes(16);
  const header = Buffer.alloc(25);
  header[0] = parts.version ?? 0x80;
  header.writeBigUInt64BE(parts.timestamp ?? 1_700_000_000n, 1);
  iv.copy(header, 9);
  let ciphertext = parts.ciphertext;
  if (ciphertext === undefined) {
    const cipher = createCipheriv("aes-128-cbc", key.encryptionKey, iv);
    ciphertext = Buffer.concat([
      cipher.update(parts.plaintext ?? Buffer.from("[]")),
      cipher.final(),
    ]);
  }
  const signed = Buffer.concat([header, ciphertext]);
  const mac = createHmac("sha256", key.signingKey).update(signed).digest();
  return Buffer.concat([signed, mac]);
}

/** AES-128-CBC without padding: lets a test sign a plaintext whose padding is invalid. */
export function encryptRawBlocks(key: FernetKey, iv: Buffer, blocks: Buffer): Buffer {
  const cipher = createCipheriv("aes-128-cbc", key.encryptionKey, iv).setAutoPadding(false);
  return Buffer.concat([cipher.update(blocks), cipher.final()]);
}

export function base64urlPadded(bytes: Buffer): string {
  const text = bytes.toString("base64url");
  return text.padEnd(4 * Math.ceil(text.length / 4), "=");
}

export interface TarTestEntry {
  readonly name: string;
  readonly body?: Buffer;
  /** Typeflag character: "0" regular (default), "5" directory, "x" PAX header, … */
  readonly typeflag?: string;
  /** Header size field, when it should lie about the body. */
  readonly size?: number;
}

/** A plain tar, laid out like Sentry's, with full control over names, types and sizes. */
export function buildTar(entries: readonly TarTestEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const body = entry.body ?? Buffer.alloc(0);
    const header = ustarHeader(entry.name, entry.size ?? body.length);
    if (entry.typeflag !== undefined) {
      header.write(entry.typeflag, 156, "latin1");
      rewriteChecksum(header);
    }
    parts.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  parts.push(Buffer.alloc((TAR_RECORD - (length % TAR_RECORD)) % TAR_RECORD));
  return Buffer.concat(parts);
}

function rewriteChecksum(header: Buffer): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) {
    sum += byte;
  }
  header.write(sum.toString(8).padStart(6, "0") + "\u0000 ", 148, "latin1");
}

/** The three members of a valid archive for `pair`, with `dekText` wrapped as given. */
export function archiveMembers(
  pair: KeyPair,
  key: FernetKey,
  dekText: Buffer,
  plaintext: Buffer,
): { token: Buffer; dataKey: Buffer; keyPub: Buffer } {
  const token = Buffer.from(base64urlPadded(craftTokenBytes(key, { plaintext })), "latin1");
  const dataKey = publicEncrypt(
    { key: createPublicKey(pair.publicKeyPem), ...OAEP_SHA256 },
    dekText,
  );
  return { token, dataKey, keyPub: Buffer.from(pair.publicKeyPem) };
}

/** Asserts a promise rejects with an error of `type` and `code`, returning it for more checks. */
export async function expectFailure(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  code: string,
): Promise<Error & { code: string }> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(type);
  expect(error).toMatchObject({ code });
  return error as Error & { code: string };
}
