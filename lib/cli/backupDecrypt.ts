import { Option, type Command } from "commander";

import { UsageError } from "../errors.ts";
import { decryptBackupToFile } from "../format/backupFiles.ts";
import { fileSource } from "../format/byteSources.ts";
import { srcAndDest, srcOption } from "./srcDest.ts";
import type { CliIo } from "./io.ts";
import { checkDecryptFlags } from "./keySources.ts";
import { requireReadableFile, requireWritableTarget } from "./paths.ts";

interface DecryptOptions {
  readonly src?: string;
  readonly decryptWith?: string;
  readonly decryptWithGcpKms?: string;
  readonly silent?: boolean;
}

export function registerBackupDecrypt(backup: Command, io: CliIo): void {
  backup
    .command("decrypt")
    .summary("decrypt a backup tarball into its export JSON")
    .description(
      "Decrypt an encrypted backup tarball (plain tar or gzip-wrapped) into its plaintext " +
        "export JSON. DEST is written only after the whole token has been authenticated " +
        "(HMAC), so a failed run leaves no file behind.",
    )
    .usage("[options] <src> <dest>   |   --src <src> [options] <dest>")
    .argument("[src]", "the encrypted backup tarball")
    .argument("[dest]", "where to write the decrypted export JSON")
    .addOption(srcOption())
    .addOption(
      new Option("--decrypt-with <private.pem>", "unencrypted PEM RSA private key").conflicts(
        "decryptWithGcpKms",
      ),
    )
    .addOption(
      new Option(
        "--decrypt-with-gcp-kms <config.json>",
        "Cloud KMS key version config: {project_id, location, key_ring, key, version}",
      ),
    )
    .option("--silent", "print nothing on success")
    .addHelpText(
      "after",
      `
Exactly one of --decrypt-with and --decrypt-with-gcp-kms is required.
Exit status: 0 on success, 1 if decryption fails, 2 on a usage error.

Examples:
  sentry-import backup decrypt backup.tar export.json --decrypt-with private.pem
  sentry-import backup decrypt --src backup.tar.gz export.json --decrypt-with private.pem
  sentry-import backup decrypt backup.tar export.json --decrypt-with-gcp-kms kms.json`,
    )
    .action(
      async (first: string | undefined, second: string | undefined, options: DecryptOptions) => {
        const paths = srcAndDest([first, second], options.src);
        if ("problem" in paths) {
          throw new UsageError(paths.problem);
        }
        const src = requireReadableFile(paths.src, "'SRC'");
        const openKey = checkDecryptFlags(options);
        const dest = requireWritableTarget(paths.dest, "'DEST'");
        const key = await openKey(io);
        try {
          const { plaintextBytes } = await decryptBackupToFile(fileSource(src), key.port, dest, {
            label: paths.src,
          });
          if (options.silent !== true) {
            io.stdout(`Decrypted ${paths.src} into ${paths.dest} (${plaintextBytes} bytes)\n`);
          }
        } finally {
          await key.close();
        }
      },
    );
}
