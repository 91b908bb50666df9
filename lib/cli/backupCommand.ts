import type { Command } from "commander";

import type { CliIo } from "./io.ts";
import { registerBackupDecrypt } from "./backupDecrypt.ts";
import { registerBackupEncrypt } from "./backupEncrypt.ts";
import { registerBackupKeygen } from "./backupKeygen.ts";

/** `sentry-import backup …`: the archive tools of Sentry's `sentry backup`, plus keygen. */
export function registerBackupCommand(program: Command, io: CliIo): void {
  const backup = program
    .command("backup")
    .summary("encrypt, decrypt and make keys for Sentry's backup tarballs")
    .description("Encrypt, decrypt and make keys for Sentry's encrypted backup tarballs.")
    .addHelpText(
      "after",
      `
An encrypted backup is a tar of export.json (a Fernet token), data.key (the token's key,
RSA-OAEP-SHA256 wrapped) and key.pub (the wrapping public key), as Sentry writes it.

Examples:
  sentry-import backup keygen private.pem public.pem
  sentry-import backup encrypt export.json backup.tar --encrypt-with public.pem
  sentry-import backup decrypt backup.tar export.json --decrypt-with private.pem`,
    );
  registerBackupDecrypt(backup, io);
  registerBackupEncrypt(backup, io);
  registerBackupKeygen(backup, io);
}
