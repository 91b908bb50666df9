import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
} from "node:crypto";
import type { KeyObject } from "node:crypto";
import { z } from "zod";
import { crc32c } from "./crc32c.ts";
import { googleErrorResponse, jsonResponse, startLoopbackServer } from "./loopback.ts";
import type { LoggedRequest, LoopbackServer, StandinResponse } from "./loopback.ts";

/**
 * An in-memory Cloud KMS v1 serving the two REST calls sentry-import makes, as the real
 * `@google-cloud/kms` REST-fallback client sends them (gcp-platform.md §8.2):
 *
 *   GET  /v1/{version}/publicKey?$alt=json%3Benum-encoding=int
 *   POST /v1/{version}:asymmetricDecrypt?$alt=json%3Benum-encoding=int
 *        body {"ciphertext": "<base64>", "ciphertextCrc32c": "<decimal>"}
 *
 * Int64 values are decimal strings; enums are numbers when the query asks for
 * `enum-encoding=int` (the client always does) and names otherwise, as Google's ESF answers.
 */

export interface KmsFailure {
  readonly httpStatus: number;
  readonly status: string;
  readonly message?: string;
}

export interface KmsStandin {
  readonly server: LoopbackServer;
  readonly endpoint: { readonly host: string; readonly port: number };
  /** Loads an RSA private key (PKCS#8 or PKCS#1 PEM, or a KeyObject); returns its SPKI PEM. */
  addKey(versionName: string, privateKey: string | Buffer | KeyObject): string;
  /** Generates an RSA key for the version; returns its SPKI PEM. */
  generateKey(versionName: string, modulusLength?: 2048 | 3072 | 4096): string;
  /** Requests routed to each method, failed ones included. */
  readonly calls: { asymmetricDecrypt: number; getPublicKey: number };
  /** The next AsymmetricDecrypt answers with a plaintext CRC32C that does not match. */
  corruptNextPlaintextCrc(): void;
  /** The next AsymmetricDecrypt answers `verifiedCiphertextCrc32c: false`. */
  answerNextUnverified(): void;
  /** The next `count` calls (either method) fail with this Google JSON error. */
  failNext(count: number, failure: KmsFailure): void;
  /** Serves this algorithm name in GetPublicKey for the version from now on. */
  setAlgorithm(versionName: string, algorithm: string): void;
  /** The next GetPublicKey answers with a wrong `pemCrc32c`. */
  corruptNextPemCrc(): void;
  /** The next GetPublicKey answers as if for another version name. */
  answerNextPublicKeyFor(versionName: string): void;
  /** Clears controls, counters and the request log; keys stay. */
  reset(): void;
  close(): Promise<void>;
}

// Numbers from google/cloud/kms/v1/resources.proto, for `enum-encoding=int` answers.
const ALGORITHM_NUMBERS: Readonly<Record<string, number>> = {
  GOOGLE_SYMMETRIC_ENCRYPTION: 1,
  RSA_DECRYPT_OAEP_2048_SHA256: 8,
  RSA_DECRYPT_OAEP_3072_SHA256: 9,
  RSA_DECRYPT_OAEP_4096_SHA256: 10,
  EC_SIGN_P256_SHA256: 12,
  RSA_DECRYPT_OAEP_4096_SHA512: 17,
  RSA_DECRYPT_OAEP_2048_SHA1: 37,
  RSA_DECRYPT_OAEP_3072_SHA1: 38,
  RSA_DECRYPT_OAEP_4096_SHA1: 39,
};
const PROTECTION_LEVEL_SOFTWARE = { name: "SOFTWARE", number: 1 } as const;

const VERSION =
  "projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+/cryptoKeyVersions/[^/]+";

const decryptRequest = z.looseObject({
  ciphertext: z.base64(),
  ciphertextCrc32c: z.union([z.string().regex(/^\d+$/), z.number()]).optional(),
});

interface StoredKey {
  readonly privateKey: KeyObject;
  readonly publicPem: string;
  algorithm: string;
}

export async function startKmsStandin(): Promise<KmsStandin> {
  const keys = new Map<string, StoredKey>();
  const calls = { asymmetricDecrypt: 0, getPublicKey: 0 };
  let controls = freshControls();

  const injectedFailure = (): StandinResponse | undefined => {
    const failure = controls.failures.shift();
    return failure === undefined
      ? undefined
      : googleErrorResponse(
          failure.httpStatus,
          failure.status,
          failure.message ?? `injected ${failure.status}`,
        );
  };

  const getPublicKey = (request: LoggedRequest, name: string): StandinResponse => {
    calls.getPublicKey += 1;
    const failure = injectedFailure();
    if (failure) {
      return failure;
    }
    const key = keys.get(name);
    if (!key) {
      return notFound(name);
    }
    const pemCrc = crc32c(Buffer.from(key.publicPem, "utf8"));
    const corruptCrc = controls.corruptPemCrc;
    const answeredFor = controls.publicKeyName ?? name;
    controls.corruptPemCrc = false;
    controls.publicKeyName = undefined;
    const numeric = wantsNumericEnums(request);
    return jsonResponse(200, {
      pem: key.publicPem,
      algorithm: numeric ? (ALGORITHM_NUMBERS[key.algorithm] ?? key.algorithm) : key.algorithm,
      pemCrc32c: String(corruptCrc ? (pemCrc + 1) >>> 0 : pemCrc),
      name: answeredFor,
      protectionLevel: protectionLevel(numeric),
    });
  };

  const asymmetricDecrypt = (request: LoggedRequest, name: string): StandinResponse => {
    calls.asymmetricDecrypt += 1;
    const failure = injectedFailure();
    if (failure) {
      return failure;
    }
    const key = keys.get(name);
    if (!key) {
      return notFound(name);
    }
    const body = decryptRequest.safeParse(parseJson(request.body));
    if (!body.success) {
      return googleErrorResponse(400, "INVALID_ARGUMENT", z.prettifyError(body.error));
    }
    const ciphertext = Buffer.from(body.data.ciphertext, "base64");
    const sentCrc = body.data.ciphertextCrc32c;
    if (sentCrc !== undefined && Number(sentCrc) !== crc32c(ciphertext)) {
      return googleErrorResponse(
        400,
        "INVALID_ARGUMENT",
        "The checksum in field ciphertext_crc32c did not match the data in field ciphertext.",
      );
    }
    let plaintext: Buffer;
    try {
      plaintext = privateDecrypt(
        { key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
        ciphertext,
      );
    } catch {
      return googleErrorResponse(
        400,
        "INVALID_ARGUMENT",
        "Decryption failed: verify that 'name' refers to the correct CryptoKey.",
      );
    }
    const plainCrc = crc32c(plaintext);
    const corruptCrc = controls.corruptPlaintextCrc;
    const unverified = controls.unverified;
    controls.corruptPlaintextCrc = false;
    controls.unverified = false;
    return jsonResponse(200, {
      plaintext: plaintext.toString("base64"),
      plaintextCrc32c: String(corruptCrc ? (plainCrc ^ 0xffffffff) >>> 0 : plainCrc),
      // KMS verifies only when the client sent a checksum.
      verifiedCiphertextCrc32c: sentCrc !== undefined && !unverified,
      protectionLevel: protectionLevel(wantsNumericEnums(request)),
    });
  };

  const server = await startLoopbackServer([
    {
      method: "GET",
      path: new RegExp(`^/v1/(${VERSION})/publicKey$`),
      handler: (request, match) => getPublicKey(request, match[1] ?? ""),
    },
    {
      method: "POST",
      path: new RegExp(`^/v1/(${VERSION}):asymmetricDecrypt$`),
      handler: (request, match) => asymmetricDecrypt(request, match[1] ?? ""),
    },
  ]);

  const addKey = (versionName: string, privateKey: string | Buffer | KeyObject): string => {
    const keyObject =
      typeof privateKey === "string" || Buffer.isBuffer(privateKey)
        ? createPrivateKey(privateKey)
        : privateKey;
    const publicPem = createPublicKey(keyObject).export({ type: "spki", format: "pem" }).toString();
    keys.set(versionName, { privateKey: keyObject, publicPem, algorithm: algorithmFor(keyObject) });
    return publicPem;
  };

  return {
    server,
    endpoint: { host: server.host, port: server.port },
    addKey,
    generateKey: (versionName, modulusLength = 2048) =>
      addKey(versionName, generateKeyPairSync("rsa", { modulusLength }).privateKey),
    calls,
    corruptNextPlaintextCrc: () => {
      controls.corruptPlaintextCrc = true;
    },
    answerNextUnverified: () => {
      controls.unverified = true;
    },
    failNext: (count, failure) => {
      for (let i = 0; i < count; i += 1) {
        controls.failures.push(failure);
      }
    },
    setAlgorithm: (versionName, algorithm) => {
      const key = keys.get(versionName);
      if (!key) {
        throw new Error(`KMS stand-in: no key for ${versionName}`);
      }
      key.algorithm = algorithm;
    },
    corruptNextPemCrc: () => {
      controls.corruptPemCrc = true;
    },
    answerNextPublicKeyFor: (versionName) => {
      controls.publicKeyName = versionName;
    },
    reset: () => {
      controls = freshControls();
      calls.asymmetricDecrypt = 0;
      calls.getPublicKey = 0;
      server.clearLog();
    },
    close: () => server.close(),
  };
}

interface Controls {
  corruptPlaintextCrc: boolean;
  unverified: boolean;
  corruptPemCrc: boolean;
  publicKeyName: string | undefined;
  failures: KmsFailure[];
}

function freshControls(): Controls {
  return {
    corruptPlaintextCrc: false,
    unverified: false,
    corruptPemCrc: false,
    publicKeyName: undefined,
    failures: [],
  };
}

function algorithmFor(key: KeyObject): string {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== "rsa" || (bits !== 2048 && bits !== 3072 && bits !== 4096)) {
    throw new Error("KMS stand-in: only RSA 2048, 3072 and 4096 keys are served");
  }
  return `RSA_DECRYPT_OAEP_${bits}_SHA256`;
}

function wantsNumericEnums(request: LoggedRequest): boolean {
  return (request.query.get("$alt") ?? "").includes("enum-encoding=int");
}

function protectionLevel(numeric: boolean): string | number {
  return numeric ? PROTECTION_LEVEL_SOFTWARE.number : PROTECTION_LEVEL_SOFTWARE.name;
}

function notFound(name: string): StandinResponse {
  return googleErrorResponse(404, "NOT_FOUND", `CryptoKeyVersion ${name} not found.`);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
