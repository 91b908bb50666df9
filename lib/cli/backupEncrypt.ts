import { Option, type Command } from "commander";

import { UsageError } from "../errors.ts";
import { encryptBackupToFile } from "../format/backupFiles.ts";
import { fileSource } from "../format/byteSources.ts";
import { compactJsonStream, measureCompactJson } from "../format/jsonCompact.ts";
import { srcAndDest, srcOption } from "./srcDest.ts";
import type { CliIo } from "./io.ts";
import { checkEncryptFlags } from "./keySources.ts";
import { requireReadableFile, requireWritableTarget } from "./paths.ts";

interface EncryptOptions {
  readonly src?: string;
  readonly encryptWith?: string;
  readonly encryptWithGcpKms?: string;
  readonly silent?: boolean;
}

export function registerBackupEncrypt(backup: Command, io: CliIo): void {
  backup
    .command("encrypt")
    .summary("encrypt an export JSON into a backup tarball")
    .description(
      "Encrypt an export JSON file into a backup tarball in Sentry's exact format. The JSON " +
        "is checked and re-serialised compactly (as Sentry does), streaming: the file is read " +
        "twice and never held in memory. DEST appears only once complete.",
    )
    .usage("[options] <src> <dest>   |   --src <src> [options] <dest>")
    .argument("[src]", "the plaintext export JSON")
    .argument("[dest]", "where to write the encrypted tarball")
    .addOption(srcOption())
    .addOption(
      new Option(
        "--encrypt-with <public.pem>",
        "PEM RSA public key (SPKI or PKCS#1); key.pub gets its SPKI form",
      ).conflicts("encryptWithGcpKms"),
    )
    .addOption(
      new Option(
        "--encrypt-with-gcp-kms <config.json>",
        "Cloud KMS key version config: {project_id, location, key_ring, key, version}",
      ),
    )
    .option("--silent", "print nothing on success")
    .addHelpText(
      "after",
      `
Exactly one of --encrypt-with and --encrypt-with-gcp-kms is required.
Exit status: 0 on success, 1 if encryption fails (e.g. invalid JSON), 2 on a usage error.

Examples:
  sentry-import backup encrypt export.json backup.tar --encrypt-with public.pem
  sentry-import backup encrypt --src export.json backup.tar --encrypt-with-gcp-kms kms.json`,
    )
    .action(
      async (first: string | undefined, second: string | undefined, options: EncryptOptions) => {
        const paths = srcAndDest([first, second], options.src);
        if ("problem" in paths) {
          throw new UsageError(paths.problem);
        }
        const src = requireReadableFile(paths.src, "'SRC'");
        const openKey = checkEncryptFlags(options);
        const dest = requireWritableTarget(paths.dest, "'DEST'");
        const source = fileSource(src);
        // First pass: validate and measure, so the tar header can state the token length.
        const plaintextLength = await measureCompactJson(source(), paths.src);
        const key = await openKey(io);
        try {
          await encryptBackupToFile(
            { plaintext: () => compactJsonStream(source(), paths.src), plaintextLength },
            key.port,
            dest,
          );
        } finally {
          await key.close();
        }
        if (options.silent !== true) {
          io.stdout(
            `Encrypted ${paths.src} (${plaintextLength} bytes of compact JSON) into ${paths.dest} ` +
              `for ${key.port.description}\n`,
          );
        }
      },
    );
}
