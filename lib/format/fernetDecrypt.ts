import { createDecipheriv, createHmac, timingSafeEqual, type Decipher } from "node:crypto";

import { DecryptionError } from "../errors.ts";
import { decodeBase64UrlStream } from "./base64Stream.ts";
import type { FernetKey } from "./fernetKey.ts";

const VERSION = 0x80;
/** version (1) + timestamp (8) + IV (16). */
const HEADER_LENGTH = 25;
const HMAC_LENGTH = 32;
const BLOCK = 16;
const MIN_TOKEN_LENGTH = HEADER_LENGTH + BLOCK + HMAC_LENGTH;

/**
 * Decrypts a Fernet token (its base64url text) as it streams, yielding plaintext pieces.
 *
 * The HMAC covers the whole token, so it can only be checked at the end: **the iteration throws
 * `hmac_mismatch` after the last piece if the token was tampered with**. Callers must run the
 * iteration to completion before acting on, committing or publishing any plaintext (stage it,
 * then commit once the loop has ended without throwing). The PKCS#7 padding is checked only
 * after the HMAC verified, as the spec requires. No TTL is applied: old backups stay readable.
 */
export function decryptFernetToken(
  tokenText: AsyncIterable<Uint8Array>,
  key: FernetKey,
  label: string,
): AsyncGenerator<Buffer, void, undefined> {
  return decryptFernetBytes(decodeBase64UrlStream(tokenText, label), key, label);
}

/** As {@link decryptFernetToken}, over the already base64-decoded token bytes. */
export async function* decryptFernetBytes(
  token: AsyncIterable<Uint8Array>,
  key: FernetKey,
  label: string,
): AsyncGenerator<Buffer, void, undefined> {
  let header = Buffer.alloc(0);
  let hmac: ReturnType<typeof createHmac> | undefined;
  let decipher: Decipher | undefined;
  // The trailing 32 bytes are the HMAC; hold them back until the next piece or the end.
  let tail = Buffer.alloc(0);
  let ciphertextLength = 0;

  for await (const piece of token) {
    let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (hmac === undefined || decipher === undefined) {
      header = Buffer.concat([header, rest]);
      if (header.length > 0 && header[0] !== VERSION) {
        throw tokenError(
          "bad_token_version",
          label,
          `version byte is 0x${(header[0] ?? 0).toString(16)}, expected 0x80`,
        );
      }
      if (header.length < HEADER_LENGTH) {
        continue;
      }
      hmac = createHmac("sha256", key.signingKey).update(header.subarray(0, HEADER_LENGTH));
      decipher = createDecipheriv(
        "aes-128-cbc",
        key.encryptionKey,
        header.subarray(9, HEADER_LENGTH),
      );
      rest = header.subarray(HEADER_LENGTH);
      header = header.subarray(0, HEADER_LENGTH);
    }
    const combined = tail.length === 0 ? rest : Buffer.concat([tail, rest]);
    if (combined.length <= HMAC_LENGTH) {
      tail = Buffer.from(combined);
      continue;
    }
    const body = combined.subarray(0, combined.length - HMAC_LENGTH);
    // Copy the tail so it does not pin the whole decoded piece in memory.
    tail = Buffer.from(combined.subarray(combined.length - HMAC_LENGTH));
    hmac.update(body);
    ciphertextLength += body.length;
    const plain = decipher.update(body);
    if (plain.length > 0) {
      yield plain;
    }
  }

  const total = header.length + ciphertextLength + tail.length;
  if (hmac === undefined || decipher === undefined || total < MIN_TOKEN_LENGTH) {
    if (header.length === 0) {
      throw tokenError("token_too_short", label, "the token is empty");
    }
    throw tokenError(
      "token_too_short",
      label,
      `it decodes to ${total} bytes, fewer than the ${MIN_TOKEN_LENGTH} of the smallest token`,
    );
  }
  if (!timingSafeEqual(hmac.digest(), tail)) {
    throw tokenError(
      "hmac_mismatch",
      label,
      "its HMAC does not verify: the token was altered or truncated, or the data key is wrong",
    );
  }
  if (ciphertextLength % BLOCK !== 0) {
    throw tokenError(
      "bad_padding",
      label,
      `the ciphertext (${ciphertextLength} bytes) is not a whole number of AES blocks`,
    );
  }
  let last: Buffer;
  try {
    last = decipher.final();
  } catch (error) {
    throw tokenError("bad_padding", label, "the PKCS#7 padding of the plaintext is invalid", error);
  }
  if (last.length > 0) {
    yield last;
  }
}

function tokenError(
  code: "bad_token_version" | "token_too_short" | "hmac_mismatch" | "bad_padding",
  label: string,
  detail: string,
  cause?: unknown,
): DecryptionError {
  return new DecryptionError(code, `${label} is not a valid Fernet token: ${detail}`, {
    ...(cause === undefined ? {} : { cause }),
    context: { file: label },
  });
}
