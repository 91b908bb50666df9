import { constants, publicEncrypt, randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { KeyManagementServiceClient } from "@google-cloud/kms";
import {
  makeKmsClient,
  makeKmsKeyDecryptor,
  makeKmsPublicKeyProvider,
} from "../../../lib/adapters/kms.ts";
import { kmsKeyVersionName } from "../../../lib/format/kmsConfig.ts";
import { describeWithShared, readShared } from "../../support/shared.ts";
import { startKmsStandin } from "../../support/standins/kms.ts";
import type { KmsStandin } from "../../support/standins/kms.ts";
import { readTarMember } from "./tarMember.ts";

const VERSION = kmsKeyVersionName({
  project_id: "golden",
  location: "global",
  key_ring: "relocation",
  key: "relocation",
  version: "1",
});

describeWithShared("KMS stand-in holding the golden-vector key", () => {
  let kms: KmsStandin;
  let client: KeyManagementServiceClient;
  let publicPem: Buffer;

  beforeAll(async () => {
    kms = await startKmsStandin();
    kms.addKey(VERSION, await readShared("encrypted", "private.pem"));
    publicPem = await readShared("encrypted", "public.pem");
    client = makeKmsClient({ endpoint: kms.endpoint });
  });

  afterAll(async () => {
    await client.close();
    await kms.close();
  });

  it("serves public.pem byte for byte as the version's public key", async () => {
    const pem = await makeKmsPublicKeyProvider(client, VERSION).publicKeyPem();
    expect(Buffer.from(pem, "utf8").equals(publicPem)).toBe(true);
  });

  it("unwraps a 44-byte DEK wrapped for public.pem with OAEP-SHA256", async () => {
    const dek = Buffer.from(randomBytes(32).toString("base64url") + "=", "ascii");
    const wrapped = publicEncrypt(
      { key: publicPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      dek,
    );
    const unwrapped = await makeKmsKeyDecryptor(client, VERSION).decryptDek({
      wrappedDek: wrapped,
      archivePublicKey: publicPem,
    });
    expect(Buffer.from(unwrapped).equals(dek)).toBe(true);
  });

  it("unwraps the data.key member of fresh-install.tar to a Fernet key", async () => {
    const tar = await readShared("encrypted", "fresh-install.tar");
    const dataKey = readTarMember(tar, "data.key");
    expect(dataKey).toHaveLength(256);
    const dek = await makeKmsKeyDecryptor(client, VERSION).decryptDek({
      wrappedDek: dataKey,
      archivePublicKey: readTarMember(tar, "key.pub"),
    });
    const text = Buffer.from(dek).toString("ascii");
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(Buffer.from(text, "base64url")).toHaveLength(32);
  });
});
