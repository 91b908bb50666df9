import { createPublicKey } from "node:crypto";
import { KeyManagementServiceClient } from "@google-cloud/kms";
import { PassThroughClient } from "google-auth-library";
import { z } from "zod";
import { DecryptionError } from "../errors.ts";
import type { KmsKeyVersionName } from "../format/kmsConfig.ts";
import type { KeyDecryptor, PublicKeyProvider } from "../ports.ts";
import { crc32c } from "./crc32c.ts";

/**
 * Cloud KMS behind the `KeyDecryptor` and `PublicKeyProvider` ports (backup-format.md §8,
 * gcp-platform.md §5). Every exchange is integrity-checked with CRC32C as Google recommends,
 * which Sentry only partly does: it checks the plaintext CRC and nothing else.
 */

/** Where the client connects: Google by default, or a loopback stand-in over plain HTTP. */
export interface KmsClientOptions {
  readonly endpoint?: { readonly host: string; readonly port: number };
}

export function makeKmsClient(options: KmsClientOptions = {}): KeyManagementServiceClient {
  const { endpoint } = options;
  if (endpoint === undefined) {
    return new KeyManagementServiceClient();
  }
  // REST fallback is the only transport a plain HTTP stand-in can serve; PassThroughClient sends
  // no credentials, so nothing looks for Application Default Credentials.
  return new KeyManagementServiceClient({
    fallback: true,
    protocol: "http",
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    authClient: new PassThroughClient(),
  });
}

/**
 * Per-call retry bound. By default gax retries UNAVAILABLE and DEADLINE_EXCEEDED on both methods
 * for up to 600 s (the client config marks them idempotent). `maxAttempts` caps the number of
 * requests instead; when it runs out gax reports DEADLINE_EXCEEDED naming the last error.
 */
export interface KmsCallOptions {
  readonly maxAttempts?: number;
}

/** The only KMS algorithms that match the format's RSA-OAEP-SHA256 wrapping (§5). */
export const COMPATIBLE_KMS_ALGORITHMS = [
  "RSA_DECRYPT_OAEP_2048_SHA256",
  "RSA_DECRYPT_OAEP_3072_SHA256",
  "RSA_DECRYPT_OAEP_4096_SHA256",
] as const;

const CORRUPTED_RESPONSE = "The response received from the server was corrupted in-transit.";

// Int64Value wrappers reach JS as `{ value: "<decimal>" }` (longs: String); accept a number too.
const int64Wrapper = z
  .looseObject({ value: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]) })
  .transform(({ value }) => Number(value));

const asymmetricDecryptResponse = z.looseObject({
  plaintext: z.instanceof(Uint8Array),
  plaintextCrc32c: int64Wrapper.nullish(),
  verifiedCiphertextCrc32c: z.boolean().nullish(),
});

const publicKeyResponse = z.looseObject({
  pem: z.string(),
  // The client decodes enums to names; an algorithm newer than its protos stays a number.
  algorithm: z.union([z.string(), z.number()]),
  pemCrc32c: int64Wrapper.nullish(),
  name: z.string().nullish(),
});

export function makeKmsKeyDecryptor(
  client: KeyManagementServiceClient,
  versionName: KmsKeyVersionName,
  options: KmsCallOptions = {},
): KeyDecryptor {
  return {
    description: `Cloud KMS key version ${versionName}`,
    // `archivePublicKey` is deliberately unused: Sentry's KMS path never compares key.pub.
    decryptDek: async ({ wrappedDek }) => {
      let raw: unknown;
      try {
        [raw] = await client.asymmetricDecrypt(
          {
            name: versionName,
            ciphertext: wrappedDek,
            ciphertextCrc32c: { value: crc32c(wrappedDek) },
          },
          callOptions(options),
        );
      } catch (error) {
        throw kmsFailed("AsymmetricDecrypt", versionName, error);
      }
      const response = parseResponse(
        asymmetricDecryptResponse,
        raw,
        "AsymmetricDecrypt",
        versionName,
      );
      if (response.verifiedCiphertextCrc32c !== true) {
        throw new DecryptionError(
          "kms_request_corrupted",
          `The request sent to Cloud KMS (${versionName}) was corrupted in-transit: ` +
            "the service did not verify the ciphertext CRC32C.",
          { context: { versionName } },
        );
      }
      const actual = crc32c(response.plaintext);
      if (response.plaintextCrc32c == null || response.plaintextCrc32c !== actual) {
        throw new DecryptionError("kms_response_corrupted", CORRUPTED_RESPONSE, {
          context: { versionName, expected: response.plaintextCrc32c ?? null, actual },
        });
      }
      return response.plaintext;
    },
  };
}

export function makeKmsPublicKeyProvider(
  client: KeyManagementServiceClient,
  versionName: KmsKeyVersionName,
  options: KmsCallOptions = {},
): PublicKeyProvider {
  return {
    description: `Cloud KMS key version ${versionName}`,
    publicKeyPem: async () => {
      let raw: unknown;
      try {
        [raw] = await client.getPublicKey({ name: versionName }, callOptions(options));
      } catch (error) {
        throw kmsFailed("GetPublicKey", versionName, error);
      }
      const response = parseResponse(publicKeyResponse, raw, "GetPublicKey", versionName);
      // Google's integrity guidance: a different name means the request was altered on the way.
      if (response.name != null && response.name !== versionName) {
        throw new DecryptionError(
          "kms_request_corrupted",
          `The GetPublicKey request for ${versionName} was corrupted in-transit: ` +
            `the service answered for ${response.name}.`,
          { context: { versionName, answeredFor: response.name } },
        );
      }
      const actual = crc32c(Buffer.from(response.pem, "utf8"));
      if (response.pemCrc32c == null || response.pemCrc32c !== actual) {
        throw new DecryptionError("kms_response_corrupted", CORRUPTED_RESPONSE, {
          context: { versionName, expected: response.pemCrc32c ?? null, actual },
        });
      }
      if (!isCompatibleAlgorithm(response.algorithm)) {
        throw new DecryptionError(
          "bad_public_key",
          `Cloud KMS key version ${versionName} uses algorithm ${String(response.algorithm)}, ` +
            `which cannot wrap a backup key; it must be one of ${COMPATIBLE_KMS_ALGORITHMS.join(", ")}.`,
          { context: { versionName, algorithm: response.algorithm } },
        );
      }
      assertRsaPublicKey(response.pem, versionName);
      return response.pem;
    },
  };
}

function isCompatibleAlgorithm(algorithm: string | number): boolean {
  return (COMPATIBLE_KMS_ALGORITHMS as readonly (string | number)[]).includes(algorithm);
}

// The PEM passed its CRC, so a parse failure here means KMS handed out something unusable.
function assertRsaPublicKey(pem: string, versionName: KmsKeyVersionName): void {
  let keyType: string | undefined;
  try {
    keyType = createPublicKey(pem).asymmetricKeyType;
  } catch (error) {
    throw new DecryptionError(
      "bad_public_key",
      `Cloud KMS key version ${versionName} returned a public key that cannot be parsed.`,
      { cause: error, context: { versionName } },
    );
  }
  if (keyType !== "rsa") {
    throw new DecryptionError(
      "bad_public_key",
      `Cloud KMS key version ${versionName} returned a ${keyType ?? "unknown"} key, not RSA.`,
      { context: { versionName, keyType } },
    );
  }
}

function callOptions(options: KmsCallOptions): { maxRetries?: number } {
  // gax's `maxRetries` counts attempts, not re-tries (normalCalls/retries.js), hence the rename.
  return options.maxAttempts === undefined ? {} : { maxRetries: options.maxAttempts };
}

function parseResponse<T extends z.ZodType>(
  schema: T,
  raw: unknown,
  method: string,
  versionName: KmsKeyVersionName,
): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new DecryptionError(
      "kms_failed",
      `Cloud KMS ${method} for ${versionName} returned an unexpected response: ` +
        z.prettifyError(parsed.error),
      { cause: parsed.error, context: { versionName, method } },
    );
  }
  return parsed.data;
}

const GRPC_STATUS_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

const googleErrorShape = z.looseObject({
  code: z.number().int().optional(),
  message: z.string().optional(),
  httpStatusCode: z.number().int().optional(),
});

function kmsFailed(
  method: string,
  versionName: KmsKeyVersionName,
  error: unknown,
): DecryptionError {
  const shape = googleErrorShape.safeParse(error);
  const { code, message, httpStatusCode } = shape.success ? shape.data : {};
  const status = code === undefined ? undefined : GRPC_STATUS_NAMES[code];
  const label = code === undefined ? "error" : `${status ?? "code"} (${code})`;
  return new DecryptionError(
    "kms_failed",
    `Cloud KMS ${method} for ${versionName} failed: ${label}: ${message ?? String(error)}`,
    {
      cause: error,
      context: {
        versionName,
        method,
        grpcCode: code ?? null,
        grpcStatus: status ?? null,
        httpStatusCode: httpStatusCode ?? null,
      },
    },
  );
}
