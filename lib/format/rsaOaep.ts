import { constants, createPublicKey, publicEncrypt, type KeyObject } from "node:crypto";

import { DecryptionError } from "../errors.ts";

/** Sentry's wrapping parameters: OAEP with SHA-256, MGF1-SHA-256 (follows the hash), empty label. */
export const OAEP_SHA256 = {
  padding: constants.RSA_PKCS1_OAEP_PADDING,
  oaepHash: "sha256",
} as const;

/** Parses an RSA public key PEM (SPKI or PKCS#1); `bad_public_key` naming `source` otherwise. */
export function parseRsaPublicKey(pem: string | Uint8Array, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(pem), format: "pem" });
  } catch (error) {
    throw new DecryptionError(
      "bad_public_key",
      `${source} is not a PEM public key: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, context: { source } },
    );
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new DecryptionError(
      "bad_public_key",
      `${source} is a ${key.asymmetricKeyType ?? "non-RSA"} key; backups need an RSA key`,
      { context: { source } },
    );
  }
  return key;
}

/** Wraps the 44-byte DEK text for `publicKey` with RSA-OAEP-SHA256. */
export function wrapDek(dekText: Uint8Array, publicKey: KeyObject): Buffer {
  return publicEncrypt({ key: publicKey, ...OAEP_SHA256 }, dekText);
}
