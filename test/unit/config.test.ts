import { describe, expect, it } from "vitest";
import { ConfigError, FUNCTION_ENV_VARS, REQUIRED_ENV_VARS, loadConfig } from "../../lib/config.ts";
import { makeJsonLogger } from "../../lib/log.ts";

const VALID = {
  DATABASE_URL: "postgres://importer:secret@10.0.0.5/sentry",
  KMS_KEY_VERSION: "projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1",
  STAGING_BUCKET: "p-sentry-import-staging",
  TASKS_PROJECT: "p",
  TASKS_LOCATION: "europe-west1",
  TASKS_QUEUE: "import-chunks",
  IMPORT_CHUNK_URL: "https://import-chunk-abc-ew.a.run.app",
};

describe("the functions' configuration", () => {
  it("parses a complete environment and applies the defaults", () => {
    const config = loadConfig({ ...VALID, PATH: "/usr/bin" });
    expect(config.CHUNK_SIZE).toBe(1000);
    expect(config.MERGE_USERS).toBe(false);
    expect(config.IMPORT_SCOPE).toBe("config");
    expect(config.KMS_API_ENDPOINT).toBeUndefined();
  });

  it("reads booleans and numbers strictly instead of falling back silently", () => {
    expect(() => loadConfig({ ...VALID, CHUNK_SIZE: "ten" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...VALID, MERGE_USERS: "maybe" })).toThrow(ConfigError);
    expect(loadConfig({ ...VALID, MERGE_USERS: "true", CHUNK_SIZE: "500" })).toMatchObject({
      MERGE_USERS: true,
      CHUNK_SIZE: 500,
    });
  });

  it("names every missing variable in one error", () => {
    expect(() => loadConfig({})).toThrow(/DATABASE_URL[\s\S]*KMS_KEY_VERSION/);
  });

  it("lists the variables the functions read, and which of them are required", () => {
    expect(REQUIRED_ENV_VARS).toEqual([
      "DATABASE_URL",
      "KMS_KEY_VERSION",
      "STAGING_BUCKET",
      "TASKS_PROJECT",
      "TASKS_LOCATION",
      "TASKS_QUEUE",
      "IMPORT_CHUNK_URL",
    ]);
    expect(FUNCTION_ENV_VARS).toContain("TASKS_SERVICE_ACCOUNT");
  });
});

describe("structured logs", () => {
  it("write one JSON object per line with severity, message and the import's coordinates", () => {
    const lines: string[] = [];
    makeJsonLogger((line) => lines.push(line))("INFO", "chunk imported", {
      importUuid: "u",
      model: "sentry.user",
      ordinal: 21,
    });
    expect(JSON.parse(lines[0] ?? "")).toEqual({
      severity: "INFO",
      message: "chunk imported",
      importUuid: "u",
      model: "sentry.user",
      ordinal: 21,
    });
  });

  it("never write the value of a secret-looking field", () => {
    const lines: string[] = [];
    makeJsonLogger((line) => lines.push(line))("ERROR", "failed", {
      password: "pbkdf2_sha256$…",
      token: "sntryu_abc",
      databaseUrl: "postgres://u:p@h/db",
      stagingKey: "k",
    });
    expect(lines[0]).not.toMatch(/pbkdf2|sntryu|postgres:|"k"/);
  });
});
