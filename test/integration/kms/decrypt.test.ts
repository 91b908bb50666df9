import { constants, publicEncrypt, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KeyManagementServiceClient } from "@google-cloud/kms";
import { crc32c } from "../../../lib/adapters/crc32c.ts";
import { makeKmsClient, makeKmsKeyDecryptor } from "../../../lib/adapters/kms.ts";
import { DecryptionError } from "../../../lib/errors.ts";
import { kmsKeyVersionName } from "../../../lib/format/kmsConfig.ts";
import { startKmsStandin } from "../../support/standins/kms.ts";
import type { KmsStandin } from "../../support/standins/kms.ts";

const VERSION = kmsKeyVersionName({
  project_id: "test-project",
  location: "global",
  key_ring: "relocation",
  key: "relocation",
  version: "1",
});
const OTHER_VERSION = kmsKeyVersionName({
  project_id: "test-project",
  location: "global",
  key_ring: "relocation",
  key: "relocation",
  version: "2",
});

let kms: KmsStandin;
let client: KeyManagementServiceClient;
let publicPem: string;
let otherPublicPem: string;

beforeAll(async () => {
  kms = await startKmsStandin();
  publicPem = kms.generateKey(VERSION);
  otherPublicPem = kms.generateKey(OTHER_VERSION);
  client = makeKmsClient({ endpoint: kms.endpoint });
});

afterAll(async () => {
  await client.close();
  await kms.close();
});

beforeEach(() => {
  kms.reset();
});

/** A Fernet-shaped DEK: 44 ASCII base64url characters ending in `=`. */
function freshDek(): Buffer {
  return Buffer.from(randomBytes(32).toString("base64url") + "=", "ascii");
}

function wrap(dek: Uint8Array, pem = publicPem): Buffer {
  return publicEncrypt(
    { key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
    dek,
  );
}

async function decryptError(promise: Promise<unknown>): Promise<DecryptionError> {
  const error: unknown = await promise.then(
    () => new Error("expected the KMS call to fail"),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DecryptionError);
  return error as DecryptionError;
}

const NO_KEY_PUB = new Uint8Array(0);

describe("KMS key decryptor against the stand-in", () => {
  it("unwraps a 44-byte DEK wrapped with OAEP-SHA256 for the KMS key", async () => {
    const dek = freshDek();
    const decryptor = makeKmsKeyDecryptor(client, VERSION);
    const unwrapped = await decryptor.decryptDek({
      wrappedDek: wrap(dek),
      archivePublicKey: NO_KEY_PUB,
    });
    expect(Buffer.from(unwrapped).equals(dek)).toBe(true);
    expect(decryptor.description).toContain(VERSION);
  });

  it("sends the REST fallback request the stand-in was built from", async () => {
    const wrapped = wrap(freshDek());
    await makeKmsKeyDecryptor(client, VERSION).decryptDek({
      wrappedDek: wrapped,
      archivePublicKey: NO_KEY_PUB,
    });
    expect(kms.server.requests).toHaveLength(1);
    const [request] = kms.server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(`/v1/${VERSION}:asymmetricDecrypt?$alt=json%3Benum-encoding=int`);
    expect(request?.headers["x-goog-request-params"]).toBe(`name=${encodeURIComponent(VERSION)}`);
    expect(JSON.parse(request?.body.toString() ?? "")).toEqual({
      ciphertext: wrapped.toString("base64"),
      ciphertextCrc32c: String(crc32c(wrapped)),
    });
  });

  it("does not compare key.pub on the KMS path, as Sentry does not", async () => {
    const dek = freshDek();
    const unrelatedKeyPub = Buffer.from(otherPublicPem, "utf8");
    const unwrapped = await makeKmsKeyDecryptor(client, VERSION).decryptDek({
      wrappedDek: wrap(dek),
      archivePublicKey: unrelatedKeyPub,
    });
    expect(Buffer.from(unwrapped).equals(dek)).toBe(true);
  });

  it("rejects a response whose plaintext CRC32C does not match as corrupted in transit", async () => {
    kms.corruptNextPlaintextCrc();
    const error = await decryptError(
      makeKmsKeyDecryptor(client, VERSION).decryptDek({
        wrappedDek: wrap(freshDek()),
        archivePublicKey: NO_KEY_PUB,
      }),
    );
    expect(error.code).toBe("kms_response_corrupted");
    expect(error.message).toBe("The response received from the server was corrupted in-transit.");
  });

  it("rejects a response that did not verify the ciphertext CRC32C as a corrupted request", async () => {
    kms.answerNextUnverified();
    const error = await decryptError(
      makeKmsKeyDecryptor(client, VERSION).decryptDek({
        wrappedDek: wrap(freshDek()),
        archivePublicKey: NO_KEY_PUB,
      }),
    );
    expect(error.code).toBe("kms_request_corrupted");
  });

  it("maps a ciphertext the key cannot decrypt (400 INVALID_ARGUMENT) to kms_failed", async () => {
    const error = await decryptError(
      makeKmsKeyDecryptor(client, VERSION).decryptDek({
        wrappedDek: wrap(freshDek(), otherPublicPem),
        archivePublicKey: NO_KEY_PUB,
      }),
    );
    expect(error.code).toBe("kms_failed");
    expect(error.message).toMatch(/INVALID_ARGUMENT \(3\): Decryption failed/);
    expect(error.context).toMatchObject({
      grpcCode: 3,
      grpcStatus: "INVALID_ARGUMENT",
      httpStatusCode: 400,
    });
    expect(error.cause).toBeInstanceOf(Error);
    expect(kms.calls.asymmetricDecrypt).toBe(1);
  });

  it.each([
    { httpStatus: 403, status: "PERMISSION_DENIED", code: 7 },
    { httpStatus: 404, status: "NOT_FOUND", code: 5 },
    { httpStatus: 500, status: "INTERNAL", code: 13 },
  ])(
    "maps $httpStatus $status to kms_failed without retrying",
    async ({ httpStatus, status, code }) => {
      kms.failNext(1, { httpStatus, status, message: `no: ${status}` });
      const error = await decryptError(
        makeKmsKeyDecryptor(client, VERSION).decryptDek({
          wrappedDek: wrap(freshDek()),
          archivePublicKey: NO_KEY_PUB,
        }),
      );
      expect(error.code).toBe("kms_failed");
      expect(error.message).toContain(`${status} (${code}): no: ${status}`);
      expect(error.context).toMatchObject({
        grpcCode: code,
        grpcStatus: status,
        httpStatusCode: httpStatus,
      });
      expect(kms.calls.asymmetricDecrypt).toBe(1);
    },
  );

  it("retries 503 UNAVAILABLE (gax's default for this method) and then succeeds", async () => {
    kms.failNext(2, { httpStatus: 503, status: "UNAVAILABLE" });
    const dek = freshDek();
    const unwrapped = await makeKmsKeyDecryptor(client, VERSION).decryptDek({
      wrappedDek: wrap(dek),
      archivePublicKey: NO_KEY_PUB,
    });
    expect(Buffer.from(unwrapped).equals(dek)).toBe(true);
    expect(kms.calls.asymmetricDecrypt).toBe(3);
  });

  it("gives up on persistent UNAVAILABLE after maxAttempts requests, as DEADLINE_EXCEEDED", async () => {
    kms.failNext(10, { httpStatus: 503, status: "UNAVAILABLE", message: "backend down" });
    const error = await decryptError(
      makeKmsKeyDecryptor(client, VERSION, { maxAttempts: 3 }).decryptDek({
        wrappedDek: wrap(freshDek()),
        archivePublicKey: NO_KEY_PUB,
      }),
    );
    expect(error.code).toBe("kms_failed");
    expect(error.context).toMatchObject({ grpcCode: 4, grpcStatus: "DEADLINE_EXCEEDED" });
    expect(error.message).toMatch(/Exceeded maximum number of retries.*backend down/);
    expect(kms.calls.asymmetricDecrypt).toBe(3);
  });
});

describe("KMS stand-in checks of its own", () => {
  it("answers 400 INVALID_ARGUMENT when the ciphertext CRC32C does not match", async () => {
    const wrapped = wrap(freshDek());
    const response = await fetch(`${kms.server.baseUrl}/v1/${VERSION}:asymmetricDecrypt`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ciphertext: wrapped.toString("base64"),
        ciphertextCrc32c: String((crc32c(wrapped) + 1) >>> 0),
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 400, status: "INVALID_ARGUMENT" },
    });
  });

  it("answers enum names when the caller does not ask for numeric enums", async () => {
    const response = await fetch(`${kms.server.baseUrl}/v1/${VERSION}/publicKey`);
    expect(await response.json()).toMatchObject({
      algorithm: "RSA_DECRYPT_OAEP_2048_SHA256",
      protectionLevel: "SOFTWARE",
      name: VERSION,
    });
  });
});
