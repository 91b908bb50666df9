import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KeyManagementServiceClient } from "@google-cloud/kms";
import { makeKmsClient, makeKmsPublicKeyProvider } from "../../../lib/adapters/kms.ts";
import { DecryptionError } from "../../../lib/errors.ts";
import { kmsKeyVersionName } from "../../../lib/format/kmsConfig.ts";
import { startKmsStandin } from "../../support/standins/kms.ts";
import type { KmsStandin } from "../../support/standins/kms.ts";

function versionName(key: string) {
  return kmsKeyVersionName({
    project_id: "test-project",
    location: "europe-west1",
    key_ring: "backups",
    key,
    version: "1",
  });
}
const KEY_2048 = versionName("rsa-2048");
const KEY_3072 = versionName("rsa-3072");

let kms: KmsStandin;
let client: KeyManagementServiceClient;
let pem2048: string;
let pem3072: string;

beforeAll(async () => {
  kms = await startKmsStandin();
  pem2048 = kms.generateKey(KEY_2048);
  pem3072 = kms.generateKey(KEY_3072, 3072);
  client = makeKmsClient({ endpoint: kms.endpoint });
});

afterAll(async () => {
  await client.close();
  await kms.close();
});

beforeEach(() => {
  kms.reset();
  kms.setAlgorithm(KEY_2048, "RSA_DECRYPT_OAEP_2048_SHA256");
});

async function publicKeyError(name = KEY_2048): Promise<DecryptionError> {
  const error: unknown = await makeKmsPublicKeyProvider(client, name)
    .publicKeyPem()
    .then(
      () => new Error("expected GetPublicKey to be rejected"),
      (thrown: unknown) => thrown,
    );
  expect(error).toBeInstanceOf(DecryptionError);
  return error as DecryptionError;
}

describe("KMS public-key provider against the stand-in", () => {
  it("returns the key version's SPKI PEM, exactly as served", async () => {
    const provider = makeKmsPublicKeyProvider(client, KEY_2048);
    const pem = await provider.publicKeyPem();
    expect(pem).toBe(pem2048);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(provider.description).toContain(KEY_2048);
  });

  it("sends GET /v1/{version}/publicKey with numeric enums, and decodes them", async () => {
    await makeKmsPublicKeyProvider(client, KEY_3072).publicKeyPem();
    expect(kms.server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      `GET /v1/${KEY_3072}/publicKey?$alt=json%3Benum-encoding=int`,
    ]);
  });

  it("accepts a 3072-bit RSA_DECRYPT_OAEP_3072_SHA256 key", async () => {
    await expect(makeKmsPublicKeyProvider(client, KEY_3072).publicKeyPem()).resolves.toBe(pem3072);
  });

  it("rejects a PEM whose pemCrc32c does not match as corrupted in transit", async () => {
    kms.corruptNextPemCrc();
    const error = await publicKeyError();
    expect(error.code).toBe("kms_response_corrupted");
    expect(error.message).toBe("The response received from the server was corrupted in-transit.");
  });

  it("rejects an answer for another key version as a corrupted request", async () => {
    kms.answerNextPublicKeyFor(KEY_3072);
    const error = await publicKeyError();
    expect(error.code).toBe("kms_request_corrupted");
    expect(error.message).toContain(KEY_3072);
  });

  it.each([
    "RSA_DECRYPT_OAEP_2048_SHA1",
    "RSA_DECRYPT_OAEP_4096_SHA512",
    "GOOGLE_SYMMETRIC_ENCRYPTION",
  ])("rejects the incompatible algorithm %s, naming it", async (algorithm) => {
    kms.setAlgorithm(KEY_2048, algorithm);
    const error = await publicKeyError();
    expect(error.code).toBe("bad_public_key");
    expect(error.message).toContain(algorithm);
    expect(error.message).toContain("RSA_DECRYPT_OAEP_2048_SHA256");
  });

  it("maps an unknown key version (404 NOT_FOUND) to kms_failed", async () => {
    const error = await publicKeyError(versionName("missing"));
    expect(error.code).toBe("kms_failed");
    expect(error.context).toMatchObject({
      grpcStatus: "NOT_FOUND",
      grpcCode: 5,
      httpStatusCode: 404,
    });
  });

  it("retries 503 UNAVAILABLE on GetPublicKey too", async () => {
    kms.failNext(1, { httpStatus: 503, status: "UNAVAILABLE" });
    await expect(makeKmsPublicKeyProvider(client, KEY_2048).publicKeyPem()).resolves.toBe(pem2048);
    expect(kms.calls.getPublicKey).toBe(2);
  });
});
