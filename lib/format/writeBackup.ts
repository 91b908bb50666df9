import type { Writable } from "node:stream";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import type { ByteSource, PublicKeyProvider } from "../ports.ts";
import { iterateAsync } from "./byteSources.ts";
import { encryptFernetToken, fernetTokenLength } from "./fernetEncrypt.ts";
import { generateFernetKeyText, parseFernetKey } from "./fernetKey.ts";
import { DATA_KEY_MEMBER, EXPORT_MEMBER, PUBLIC_KEY_MEMBER } from "./members.ts";
import { parseRsaPublicKey, wrapDek } from "./rsaOaep.ts";
import { tarStream } from "./tarWriter.ts";

export interface PlaintextInput {
  /** The export JSON bytes; read exactly once. */
  readonly plaintext: ByteSource;
  /** Its exact length in bytes: the tar header states the token length before encryption. */
  readonly plaintextLength: number;
}

/**
 * Produces an encrypted backup in Sentry's exact form (§2.2) as a byte stream: a fresh DEK,
 * the Fernet token of the plaintext, the DEK wrapped with RSA-OAEP-SHA256 for `publicKey`, and
 * the provider's PEM text verbatim as `key.pub`. Streaming: memory does not grow with the export.
 */
export async function encryptedBackupStream(
  input: PlaintextInput,
  publicKey: PublicKeyProvider,
): Promise<AsyncGenerator<Buffer, void, undefined>> {
  const pem = await publicKey.publicKeyPem();
  const pemBytes = Buffer.from(pem, "utf8");
  const wrappingKey = parseRsaPublicKey(pemBytes, publicKey.description);
  const dekText = generateFernetKeyText();
  const wrappedDek = wrapDek(dekText, wrappingKey);
  const key = parseFernetKey(dekText, "the generated data key");
  return tarStream([
    {
      name: EXPORT_MEMBER,
      size: fernetTokenLength(input.plaintextLength),
      body: encryptFernetToken(input.plaintext(), input.plaintextLength, key),
    },
    { name: DATA_KEY_MEMBER, size: wrappedDek.length, body: iterateAsync([wrappedDek]) },
    { name: PUBLIC_KEY_MEMBER, size: pemBytes.length, body: iterateAsync([pemBytes]) },
  ]);
}

/** Writes {@link encryptedBackupStream} to `out`, honouring back-pressure; ends `out`. */
export async function writeEncryptedBackup(
  input: PlaintextInput,
  publicKey: PublicKeyProvider,
  out: Writable,
): Promise<void> {
  const chunks = await encryptedBackupStream(input, publicKey);
  await pipeline(Readable.from(chunks), out);
}
