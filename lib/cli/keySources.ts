import { readFileSync } from "node:fs";

import { makeLocalKeyDecryptor, makeLocalPublicKeyProvider } from "../adapters/localKey.ts";
import { UsageError } from "../errors.ts";
import type { KeyDecryptor, PublicKeyProvider } from "../ports.ts";
import type { CliIo } from "./io.ts";
import { requireReadableFile } from "./paths.ts";

/** A key port plus whatever must be released after use (a KMS client's channel). */
export interface KeyHandle<T> {
  readonly port: T;
  close(): Promise<void>;
}

export interface DecryptFlags {
  readonly decryptWith?: string;
  readonly decryptWithGcpKms?: string;
}

export interface EncryptFlags {
  readonly encryptWith?: string;
  readonly encryptWithGcpKms?: string;
}

/** Exactly one of the pair must be given, as Sentry's UsageError demands. */
function choose(local: string | undefined, kms: string | undefined, flag: string): "local" | "kms" {
  if (local !== undefined && kms !== undefined) {
    throw new UsageError(`--${flag}-with and --${flag}-with-gcp-kms are mutually exclusive`);
  }
  if (local === undefined && kms === undefined) {
    throw new UsageError(`one of --${flag}-with FILE or --${flag}-with-gcp-kms FILE is required`);
  }
  return local === undefined ? "kms" : "local";
}

/** Checks the flags and the files they name (exit 2) before any work starts. */
export function checkDecryptFlags(
  flags: DecryptFlags,
): (io: CliIo) => Promise<KeyHandle<KeyDecryptor>> {
  const kind = choose(flags.decryptWith, flags.decryptWithGcpKms, "decrypt");
  if (kind === "local") {
    const path = requireReadableFile(flags.decryptWith ?? "", "'--decrypt-with'");
    return () =>
      Promise.resolve({ port: makeLocalKeyDecryptor(readFileSync(path), path), close: noClose });
  }
  const path = requireReadableFile(flags.decryptWithGcpKms ?? "", "'--decrypt-with-gcp-kms'");
  return async (io) => {
    const kms = await openKms(path, io);
    return {
      port: kms.adapters.makeKmsKeyDecryptor(kms.client, kms.versionName),
      close: kms.close,
    };
  };
}

export function checkEncryptFlags(
  flags: EncryptFlags,
): (io: CliIo) => Promise<KeyHandle<PublicKeyProvider>> {
  const kind = choose(flags.encryptWith, flags.encryptWithGcpKms, "encrypt");
  if (kind === "local") {
    const path = requireReadableFile(flags.encryptWith ?? "", "'--encrypt-with'");
    return () =>
      Promise.resolve({
        port: makeLocalPublicKeyProvider(readFileSync(path), path),
        close: noClose,
      });
  }
  const path = requireReadableFile(flags.encryptWithGcpKms ?? "", "'--encrypt-with-gcp-kms'");
  return async (io) => {
    const kms = await openKms(path, io);
    return {
      port: kms.adapters.makeKmsPublicKeyProvider(kms.client, kms.versionName),
      close: kms.close,
    };
  };
}

/** Loaded lazily: the Google client is heavy and only the KMS flags need it. */
async function openKms(configPath: string, io: CliIo) {
  const [{ parseKmsConfig, kmsKeyVersionName }, adapters] = await Promise.all([
    import("../format/kmsConfig.ts"),
    import("../adapters/kms.ts"),
  ]);
  const config = parseKmsConfig(readFileSync(configPath, "utf8"), configPath);
  const endpoint = kmsEndpoint(io.env["SENTRY_IMPORT_KMS_ENDPOINT"]);
  const client = adapters.makeKmsClient(endpoint === undefined ? {} : { endpoint });
  return {
    adapters,
    client,
    versionName: kmsKeyVersionName(config),
    close: () => client.close(),
  };
}

/** SENTRY_IMPORT_KMS_ENDPOINT=host:port points the client at a loopback stand-in (plain HTTP). */
function kmsEndpoint(value: string | undefined): { host: string; port: number } | undefined {
  if (value === undefined || value === "") {
    return undefined;
  }
  const match = /^([^:]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (match?.[1] === undefined || !(port > 0 && port < 65_536)) {
    throw new UsageError(`SENTRY_IMPORT_KMS_ENDPOINT must be HOST:PORT, got '${value}'`);
  }
  return { host: match[1], port };
}

function noClose(): Promise<void> {
  return Promise.resolve();
}
