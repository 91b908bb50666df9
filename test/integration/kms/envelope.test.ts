import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KeyManagementServiceClient } from "@google-cloud/kms";
import {
  makeKmsClient,
  makeKmsKeyDecryptor,
  makeKmsPublicKeyProvider,
} from "../../../lib/adapters/kms.ts";
import { kmsKeyVersionName } from "../../../lib/format/kmsConfig.ts";
import { bufferSource, collectBytes, fileSource } from "../../../lib/format/byteSources.ts";
import { openEncryptedBackup } from "../../../lib/format/openBackup.ts";
import { encryptedBackupStream } from "../../../lib/format/writeBackup.ts";
import { describeWithShared, readShared, sharedPath } from "../../support/shared.ts";
import { startKmsStandin } from "../../support/standins/kms.ts";
import type { KmsStandin } from "../../support/standins/kms.ts";
import { readTarMember } from "./tarMember.ts";

// The archive envelope with Cloud KMS on both sides: what --decrypt-with-gcp-kms and
// --encrypt-with-gcp-kms run, with the real client talking to the stand-in.

const GOLDEN = kmsKeyVersionName({
  project_id: "golden",
  location: "global",
  key_ring: "relocation",
  key: "relocation",
  version: "1",
});
const GENERATED = kmsKeyVersionName({
  project_id: "test-project",
  location: "us-central1",
  key_ring: "backups",
  key: "export",
  version: "4",
});

let kms: KmsStandin;
let client: KeyManagementServiceClient;

beforeAll(async () => {
  kms = await startKmsStandin();
  kms.generateKey(GENERATED, 3072);
  client = makeKmsClient({ endpoint: kms.endpoint });
});

afterAll(async () => {
  await client.close();
  await kms.close();
});

beforeEach(() => {
  kms.reset();
});

describe("encrypted backups through Cloud KMS", () => {
  it("encrypts for the KMS public key and decrypts through KMS AsymmetricDecrypt", async () => {
    const plaintext = Buffer.from(JSON.stringify([{ model: "sentry.option", pk: 1, fields: {} }]));
    const archive = await collectBytes(
      await encryptedBackupStream(
        { plaintext: bufferSource(plaintext), plaintextLength: plaintext.length },
        makeKmsPublicKeyProvider(client, GENERATED),
      ),
    );
    expect(readTarMember(archive, "key.pub").toString("utf8")).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n/,
    );

    const opened = await openEncryptedBackup(
      bufferSource(archive),
      makeKmsKeyDecryptor(client, GENERATED),
    );
    expect((await collectBytes(opened.plaintext())).equals(plaintext)).toBe(true);
    expect(kms.calls).toEqual({ getPublicKey: 1, asymmetricDecrypt: 1 });
  });

  it("fails to open an archive when the KMS response is corrupted in transit", async () => {
    const plaintext = Buffer.from("[]");
    const archive = await collectBytes(
      await encryptedBackupStream(
        { plaintext: bufferSource(plaintext), plaintextLength: plaintext.length },
        makeKmsPublicKeyProvider(client, GENERATED),
      ),
    );
    kms.corruptNextPlaintextCrc();
    await expect(
      openEncryptedBackup(bufferSource(archive), makeKmsKeyDecryptor(client, GENERATED)),
    ).rejects.toMatchObject({ code: "kms_response_corrupted" });
  });
});

describeWithShared("golden vectors through Cloud KMS", () => {
  beforeAll(async () => {
    kms.addKey(GOLDEN, await readShared("encrypted", "private.pem"));
  });

  it("decrypts fresh-install.tar end to end to sentry/fresh-install.json, byte for byte", async () => {
    const opened = await openEncryptedBackup(
      fileSource(sharedPath("encrypted", "fresh-install.tar")),
      makeKmsKeyDecryptor(client, GOLDEN),
    );
    const plaintext = await collectBytes(opened.plaintext());
    expect(plaintext.equals(await readShared("sentry", "fresh-install.json"))).toBe(true);
    expect(kms.calls.asymmetricDecrypt).toBe(1);
  });
});
