import { randomBytes } from "node:crypto";

import { DecryptionError } from "../errors.ts";

/** A Fernet key split as the spec says: bytes 0–15 sign (HMAC-SHA256), bytes 16–31 encrypt (AES-128). */
export interface FernetKey {
  readonly signingKey: Buffer;
  readonly encryptionKey: Buffer;
}

/** Sentry wraps the 44-character base64url text of the key (with `=`), never the 32 raw bytes. */
export const FERNET_KEY_TEXT_LENGTH = 44;
const FERNET_KEY_TEXT = /^[A-Za-z0-9_-]{43}=$/;

/** A fresh DEK as Sentry's `Fernet.generate_key()` makes it: 44 ASCII bytes ending in `=`. */
export function generateFernetKeyText(): Buffer {
  return Buffer.from(randomBytes(32).toString("base64url") + "=", "latin1");
}

/**
 * Parses an unwrapped DEK. It must be the 44-character base64url text of 32 bytes; a wrapped
 * raw 32-byte key (which Sentry cannot open either) is rejected with a hint. `source` names
 * where the DEK came from.
 */
export function parseFernetKey(text: Uint8Array, source: string): FernetKey {
  const ascii = Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString("latin1");
  if (text.byteLength !== FERNET_KEY_TEXT_LENGTH || !FERNET_KEY_TEXT.test(ascii)) {
    const hint =
      text.byteLength === 32 ? " (it looks like 32 raw key bytes, which Sentry cannot open)" : "";
    throw new DecryptionError(
      "bad_dek",
      `The data key unwrapped by ${source} is not a Fernet key: expected 44 base64url ` +
        `characters encoding 32 bytes, got ${text.byteLength} bytes${hint}`,
      { context: { source, length: text.byteLength } },
    );
  }
  const raw = Buffer.from(ascii, "base64url");
  return { signingKey: raw.subarray(0, 16), encryptionKey: raw.subarray(16, 32) };
}
