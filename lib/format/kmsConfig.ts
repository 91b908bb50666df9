import { z } from "zod";
import { DecryptionError, SentryImportError } from "../errors.ts";

/**
 * Sentry's KMS config file (`--decrypt-with-gcp-kms FILE`, `--encrypt-with-gcp-kms FILE`): one
 * JSON object with exactly five string fields naming a crypto key *version*
 * (backup-format.md §8.1). The field names are the code's (`project_id`, `key_ring`), not the
 * CLI help's (`project-id`, `keyring`).
 */

export const KMS_CONFIG_FIELDS = ["project_id", "location", "key_ring", "key", "version"] as const;

/** A full `projects/…/cryptoKeyVersions/…` name; only `kmsKeyVersionName` makes one. */
export type KmsKeyVersionName = string & { readonly __brand: "KmsKeyVersionName" };

// Sentry only requires strings. Empty values or slashes would silently build a different resource
// name, so they are rejected here rather than by KMS with a confusing NOT_FOUND.
const segment = z
  .string()
  .min(1, "must not be empty")
  .regex(/^[^/]+$/, "must not contain '/'");

const kmsConfigSchema = z.strictObject({
  project_id: segment,
  location: segment,
  key_ring: segment,
  key: segment,
  version: segment,
});

export type KmsKeyConfig = Readonly<z.infer<typeof kmsConfigSchema>>;

export function parseKmsConfig(text: string, file: string): KmsKeyConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // Sentry raises a JSON decode error here, not DecryptionError; the code keeps that distinction.
    const detail = error instanceof Error ? error.message : String(error);
    throw new SentryImportError(
      "kms_config_not_json",
      `The KMS config file ${file} is not valid JSON: ${detail}`,
      { cause: error, context: { file } },
    );
  }
  const parsed = kmsConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue, json));
    throw new DecryptionError(
      "kms_config_invalid",
      `The KMS config file ${file} must be a JSON object with exactly the string fields ` +
        `${KMS_CONFIG_FIELDS.map((field) => `"${field}"`).join(", ")}: ${problems.join("; ")}`,
      { cause: parsed.error, context: { file, problems } },
    );
  }
  return parsed.data;
}

export function kmsKeyVersionName(config: KmsKeyConfig): KmsKeyVersionName {
  return (`projects/${config.project_id}/locations/${config.location}` +
    `/keyRings/${config.key_ring}/cryptoKeys/${config.key}` +
    `/cryptoKeyVersions/${config.version}`) as KmsKeyVersionName;
}

function describeIssue(issue: z.core.$ZodIssue, json: unknown): string {
  if (issue.code === "unrecognized_keys") {
    return `unexpected field(s) ${issue.keys.map((key) => `"${key}"`).join(", ")}`;
  }
  const where = issue.path.length === 0 ? "the top level" : `"${issue.path.join(".")}"`;
  const key = issue.path.length === 1 ? issue.path[0] : undefined;
  if (key !== undefined && typeof json === "object" && json !== null && !Object.hasOwn(json, key)) {
    return `${where} is missing`;
  }
  return `${where}: ${issue.message}`;
}
