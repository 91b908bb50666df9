import { describe, expect, it } from "vitest";
import { DecryptionError, SentryImportError } from "../../../lib/errors.ts";
import { kmsKeyVersionName, parseKmsConfig } from "../../../lib/format/kmsConfig.ts";

const FILE = "/etc/sentry/kms.json";
const VALID = {
  project_id: "my-google-cloud-project",
  location: "global",
  key_ring: "my-key-ring-name",
  key: "my-key-name",
  version: "1",
};

function parseError(text: string): unknown {
  try {
    parseKmsConfig(text, FILE);
  } catch (error) {
    return error;
  }
  throw new Error("expected parseKmsConfig to throw");
}

/** Checks what every invalid-config error shares, and returns its message for the specifics. */
function invalidMessage(value: unknown): string {
  const error = parseError(JSON.stringify(value));
  expect(error).toBeInstanceOf(DecryptionError);
  const { code, message } = error as DecryptionError;
  expect(code).toBe("kms_config_invalid");
  expect(message).toContain(FILE);
  for (const field of ["project_id", "location", "key_ring", "key", "version"]) {
    expect(message).toContain(`"${field}"`);
  }
  return message;
}

describe("parseKmsConfig", () => {
  it("accepts Sentry's documented example", () => {
    expect(parseKmsConfig(JSON.stringify(VALID), FILE)).toEqual(VALID);
  });

  it("accepts whitespace and any key order", () => {
    const text = `\n{ "version": "3", "key": "k", "key_ring": "r", "location": "europe-west1", "project_id": "p" }\n`;
    expect(parseKmsConfig(text, FILE)).toEqual({
      project_id: "p",
      location: "europe-west1",
      key_ring: "r",
      key: "k",
      version: "3",
    });
  });

  it("says a file that is not JSON is not valid JSON, naming the file", () => {
    const error = parseError("project_id = p\n");
    expect(error).toBeInstanceOf(SentryImportError);
    expect(error).not.toBeInstanceOf(DecryptionError);
    expect((error as SentryImportError).code).toBe("kms_config_not_json");
    expect((error as Error).message).toMatch(/kms\.json is not valid JSON/);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it("rejects a missing field and names it", () => {
    const rest: Partial<typeof VALID> = { ...VALID };
    delete rest.key_ring;
    expect(invalidMessage(rest)).toMatch(/"key_ring" is missing/);
  });

  it("rejects the CLI help's spellings project-id and keyring", () => {
    const { project_id, key_ring, ...rest } = VALID;
    expect(invalidMessage({ ...rest, "project-id": project_id, keyring: key_ring })).toMatch(
      /unexpected field\(s\) "project-id", "keyring"/,
    );
  });

  it("rejects an extra field", () => {
    expect(invalidMessage({ ...VALID, protection_level: "HSM" })).toMatch(
      /unexpected field\(s\) "protection_level"/,
    );
  });

  it("rejects a numeric version", () => {
    expect(invalidMessage({ ...VALID, version: 1 })).toMatch(/"version": .*expected string/);
  });

  it("rejects an array and a string at the top level", () => {
    expect(invalidMessage([VALID])).toMatch(/the top level: .*expected object/);
    expect(invalidMessage("projects/p")).toMatch(/the top level: .*expected object/);
  });

  it("rejects empty values and slashes that would build another resource name", () => {
    expect(invalidMessage({ ...VALID, key: "" })).toMatch(/"key": must not be empty/);
    expect(invalidMessage({ ...VALID, key_ring: "a/cryptoKeys/b" })).toMatch(
      /"key_ring": must not contain '\/'/,
    );
  });
});

describe("kmsKeyVersionName", () => {
  it("builds the full crypto key version name", () => {
    expect(kmsKeyVersionName(VALID)).toBe(
      "projects/my-google-cloud-project/locations/global/keyRings/my-key-ring-name" +
        "/cryptoKeys/my-key-name/cryptoKeyVersions/1",
    );
  });
});
