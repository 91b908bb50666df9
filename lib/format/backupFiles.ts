import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import type { ByteSource, KeyDecryptor, PublicKeyProvider } from "../ports.ts";
import { writeFileAtomically } from "./atomicFile.ts";
import { openEncryptedBackup, type OpenBackupOptions } from "./openBackup.ts";
import { writeEncryptedBackup, type PlaintextInput } from "./writeBackup.ts";

/**
 * Decrypts a backup into `destPath` atomically: the plaintext streams into a temporary file next
 * to it, which is renamed only after the HMAC verified and the archive was read to its end. On
 * any failure `destPath` is untouched and no temporary file remains. Returns the plaintext size.
 */
export async function decryptBackupToFile(
  source: ByteSource,
  decryptor: KeyDecryptor,
  destPath: string,
  options: OpenBackupOptions = {},
): Promise<{ plaintextBytes: number }> {
  const opened = await openEncryptedBackup(source, decryptor, options);
  let plaintextBytes = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const piece of opened.plaintext()) {
      plaintextBytes += piece.byteLength;
      yield piece;
    }
  }
  await writeFileAtomically(destPath, (out) => pipeline(Readable.from(counted()), out));
  return { plaintextBytes };
}

/** Encrypts into `destPath` atomically (see {@link writeEncryptedBackup}). */
export async function encryptBackupToFile(
  input: PlaintextInput,
  publicKey: PublicKeyProvider,
  destPath: string,
): Promise<void> {
  await writeFileAtomically(destPath, (out) => writeEncryptedBackup(input, publicKey, out));
}
