/**
 * The bundled example (`examples/`): a small synthetic export in which a newcomer sees every kind
 * of row a Config import handles. `scripts/make-example.ts` writes it.
 */
import { createPublicKey } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { format, resolveConfig } from "prettier";
import { generateRsaKeyPair, makeLocalPublicKeyProvider } from "../../../lib/adapters/localKey.ts";
import { bufferSource, encryptBackupToFile } from "../../../lib/format/index.ts";
import { generateExportText } from "./generate.ts";
import type { SyntheticExportOptions } from "./options.ts";

export const EXAMPLE_JSON = "example-export.json";
export const EXAMPLE_ARCHIVE = "example-backup.tar";
export const EXAMPLE_KEY = "example-key.pem";

/**
 * 25 users, some options, a relay, two roles with assignments, tokens, and
 * rows a Config import skips. Fractions are raised so 25 users show every case; `legacy: "mixed"`
 * writes about half of the rows in older Sentry encodings.
 */
export const EXAMPLE_OPTIONS: SyntheticExportOptions = {
  seed: "sentry-import example",
  users: 25,
  options: 8,
  controlOptions: 6,
  relays: 1,
  relayVersions: 2,
  roles: 2,
  organizations: 1,
  legacy: "mixed",
  outOfScope: true,
  staffFraction: 0.12,
  superuserFraction: 0.08,
  managedFraction: 0.05,
  sentryAppFraction: 0.05,
  sharedEmailFraction: 0.2,
  caseVariantFraction: 0.5,
  secondaryEmailFraction: 0.3,
  scopedUserOptionFraction: 0.2,
  permissionFraction: 0.1,
  roleAssignmentFraction: 0.25,
  tokenFraction: 0.3,
  authorizationFraction: 0.2,
  authenticatorFraction: 0.1,
};

/** Escapes non-ASCII as `\uXXXX`, as Python's `json.dump` does by default. */
function asciiOnly(json: string): string {
  return json.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The export as `sentry export` writes an unencrypted file: indented, ASCII-escaped. The
 * encrypted archive holds the compact form instead, as Sentry encrypts orjson's output.
 */
export function exampleExportJson(): string {
  return asciiOnly(JSON.stringify(JSON.parse(generateExportText(EXAMPLE_OPTIONS)), null, 2));
}

/**
 * Writes the plain example into `dir`; returns the path. The text then goes through the
 * repository's Prettier settings so `prettier --check .` accepts it; readers parse JSON, so the
 * layout is immaterial.
 */
export async function writeExampleJson(dir: string): Promise<string> {
  const path = join(dir, EXAMPLE_JSON);
  const config = (await resolveConfig(path)) ?? {};
  await writeFile(path, await format(exampleExportJson(), { ...config, filepath: path }));
  return path;
}

/**
 * The throwaway demo key: reused when `dir` already has one, so regenerating the example does not
 * churn the key; otherwise a fresh RSA-2048 pair (PKCS#8 PEM, as `backup keygen` writes).
 */
async function exampleKey(dir: string, fresh: boolean): Promise<string> {
  const path = join(dir, EXAMPLE_KEY);
  if (!fresh) {
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw error;
      }
    }
  }
  const { privateKeyPem } = await generateRsaKeyPair(2048);
  await writeFile(path, privateKeyPem, { mode: 0o600 });
  return privateKeyPem;
}

/**
 * Writes the encrypted example with the project's own archive writer: Sentry's tar of
 * `export.json` (the compact export, Fernet-encrypted), `data.key` and `key.pub`. Archives differ
 * on every run (fresh data key, IV and timestamp) but always decrypt to the same export.
 */
export async function writeExampleArchive(
  dir: string,
  options: { readonly freshKey?: boolean } = {},
): Promise<{ readonly archive: string; readonly key: string }> {
  const key = join(dir, EXAMPLE_KEY);
  const privateKeyPem = await exampleKey(dir, options.freshKey ?? false);
  const publicKeyPem = createPublicKey(privateKeyPem).export({ type: "spki", format: "pem" });
  const plaintext = Buffer.from(generateExportText(EXAMPLE_OPTIONS), "utf8");
  const archive = join(dir, EXAMPLE_ARCHIVE);
  await encryptBackupToFile(
    { plaintext: bufferSource(plaintext), plaintextLength: plaintext.length },
    makeLocalPublicKeyProvider(publicKeyPem, `the public half of ${EXAMPLE_KEY}`),
    archive,
  );
  return { archive, key };
}
