import { InvalidArgumentError, type Command } from "commander";
import { resolve } from "node:path";

import { generateRsaKeyPair } from "../adapters/localKey.ts";
import { UsageError } from "../errors.ts";
import { writeFileAtomically } from "../format/atomicFile.ts";
import type { CliIo } from "./io.ts";
import { requireWritableTarget } from "./paths.ts";

const KEY_SIZES = [2048, 3072, 4096] as const;

interface KeygenOptions {
  readonly bits: number;
  readonly force?: boolean;
  readonly silent?: boolean;
}

export function registerBackupKeygen(backup: Command, io: CliIo): void {
  backup
    .command("keygen")
    .summary("generate an RSA key pair for backups")
    .description(
      "Generate an RSA key pair for encrypting backups: a PKCS#8 private key (mode 0600) " +
        "and its SPKI public key, both PEM, as Sentry's tooling writes them. Existing files " +
        "are not overwritten unless --force is given.",
    )
    .argument("<private.pem>", "where to write the private key (keep it secret)")
    .argument("<public.pem>", "where to write the public key (give it to the exporter)")
    .option("--bits <n>", `key size: ${KEY_SIZES.join(", ")}`, parseBits, 4096)
    .option("--force", "overwrite existing key files")
    .option("--silent", "print nothing on success")
    .addHelpText(
      "after",
      `
Examples:
  sentry-import backup keygen private.pem public.pem
  sentry-import backup keygen --bits 2048 private.pem public.pem --force`,
    )
    .action(async (privatePath: string, publicPath: string, options: KeygenOptions) => {
      const force = options.force === true;
      if (resolve(privatePath) === resolve(publicPath)) {
        throw new UsageError("the private and public key paths must differ");
      }
      const privateDest = requireWritableTarget(privatePath, "private key file", force);
      const publicDest = requireWritableTarget(publicPath, "public key file", force);
      const pair = await generateRsaKeyPair(options.bits);
      await writeFileAtomically(privateDest, (out) => endWith(out, pair.privateKeyPem), {
        mode: 0o600,
      });
      await writeFileAtomically(publicDest, (out) => endWith(out, pair.publicKeyPem));
      if (options.silent !== true) {
        io.stdout(
          `Wrote a ${options.bits}-bit RSA private key to ${privatePath} and its public key to ${publicPath}\n`,
        );
      }
    });
}

function parseBits(value: string): number {
  const bits = Number(value);
  if (!(KEY_SIZES as readonly number[]).includes(bits)) {
    throw new InvalidArgumentError(`must be one of ${KEY_SIZES.join(", ")}`);
  }
  return bits;
}

function endWith(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolveWrite, reject) => {
    out.on("error", reject);
    out.end(text, () => {
      resolveWrite();
    });
  });
}
