import { DecryptionError, SentryImportError } from "../errors.ts";
import type { ByteSource, KeyDecryptor } from "../ports.ts";
import { skipExport, walkBackupArchive, type ArchiveReadOptions } from "./backupArchive.ts";
import { decryptFernetToken } from "./fernetDecrypt.ts";
import { parseFernetKey } from "./fernetKey.ts";
import { EXPORT_MEMBER } from "./members.ts";

export interface OpenedBackup {
  /**
   * Streams the decrypted export JSON; each call re-reads the archive from the start. The
   * iteration throws at its end if the token's HMAC does not verify (or the archive turns out
   * malformed), so **finish the iteration before committing anything derived from it**.
   */
  readonly plaintext: ByteSource;
  /** Size of the `export.json` token; the plaintext is about 3/4 of it (for progress). */
  readonly tokenBytes: number;
}

export type OpenBackupOptions = Partial<ArchiveReadOptions>;

/**
 * Opens an encrypted backup (Sentry's envelope, §7): reads `data.key` and `key.pub` in one pass
 * over the archive, which also checks its structure, and unwraps the DEK once through
 * `decryptor`. The plaintext is then streamed on demand, never held whole.
 */
export async function openEncryptedBackup(
  source: ByteSource,
  decryptor: KeyDecryptor,
  options: OpenBackupOptions = {},
): Promise<OpenedBackup> {
  const readOptions: ArchiveReadOptions = {
    label: options.label ?? "the backup archive",
    ...(options.maxExportBytes === undefined ? {} : { maxExportBytes: options.maxExportBytes }),
  };
  const members = await finishWalk(walkBackupArchive(source(), readOptions, skipExport));

  let dekText: Uint8Array;
  try {
    dekText = await decryptor.decryptDek({
      wrappedDek: members.dataKey,
      archivePublicKey: members.keyPub,
    });
  } catch (error) {
    if (error instanceof SentryImportError) {
      throw error;
    }
    throw new DecryptionError(
      "dek_unwrap_failed",
      `Could not unwrap the data key of ${readOptions.label} with ${decryptor.description}: ` +
        (error instanceof Error ? error.message : String(error)),
      { cause: error, context: { file: readOptions.label } },
    );
  }
  const key = parseFernetKey(dekText, decryptor.description);
  const tokenLabel = `${EXPORT_MEMBER} in ${readOptions.label}`;

  return {
    tokenBytes: members.exportSize,
    plaintext: () =>
      walkBackupArchive(source(), readOptions, (body) => decryptFernetToken(body, key, tokenLabel)),
  };
}

async function finishWalk<R>(walk: AsyncGenerator<never, R, undefined>): Promise<R> {
  for (;;) {
    const step = await walk.next();
    if (step.done === true) {
      return step.value;
    }
  }
}
