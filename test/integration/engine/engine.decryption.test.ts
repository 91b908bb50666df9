/**
 * import-semantics.md §18.11 through the golden vectors of ../shared/fixtures/encrypted (made by
 * an independent implementation), on both adapters: the decrypted archives import with the same
 * results as the plain fixtures, and a wrong key or KMS config fails the way Sentry's does.
 * (The Global-scope half of the first item is out of scope.)
 */
import { expect, it } from "vitest";
import {
  makeLocalKeyDecryptor,
  PUBLIC_KEY_MISMATCH_MESSAGE,
} from "../../../lib/adapters/localKey.ts";
import { DecryptionError, SentryImportError } from "../../../lib/errors.ts";
import { fileSource, openEncryptedBackup } from "../../../lib/format/index.ts";
import { parseKmsConfig } from "../../../lib/format/kmsConfig.ts";
import type { ByteSource } from "../../../lib/ports.ts";
import { readShared, sharedPath } from "../../support/shared.ts";
import { count, engineSuite, importSource, NO_SHARED, tableCounts } from "../../support/engine.ts";
import { expectFreshInstall, expectMaximumPrivileges } from "./fixtureExpectations.ts";

async function decrypted(archive: string, key = "private.pem"): Promise<ByteSource> {
  const decryptor = makeLocalKeyDecryptor(await readShared("encrypted", key), key);
  const opened = await openEncryptedBackup(fileSource(sharedPath("encrypted", archive)), decryptor);
  return opened.plaintext;
}

engineSuite("§18.11 decryption (golden vectors)", (db) => {
  it.skipIf(NO_SHARED)(
    "encrypted/fresh-install.tar decrypted with the matching private key imports in Config scope with the fresh-install results (UserRole count > 0)",
    async () => {
      await importSource(db(), await decrypted("fresh-install.tar"));
      expect(await count(db(), "sentry_userrole")).toBeGreaterThan(0);
      await expectFreshInstall(db());
    },
  );

  it.skipIf(NO_SHARED)(
    "encrypted/fresh-install.tar decrypted with the matching private key imports in User scope: users, no roles",
    async () => {
      await importSource(db(), await decrypted("fresh-install.tar"), { scope: "User" });
      expect(await tableCounts(db())).toMatchObject({
        auth_user: 3,
        sentry_useremail: 3,
        sentry_userrole: 0,
        sentry_option: 0,
      });
    },
  );

  it.skipIf(NO_SHARED)(
    "encrypted/user-with-maximum-privileges.tar.gz (gzip-wrapped) imports with the results of its plain fixture",
    async () => {
      await importSource(db(), await decrypted("user-with-maximum-privileges.tar.gz"));
      expect(await count(db(), "auth_user")).toBe(1);
      await expectMaximumPrivileges(db());
    },
  );

  it.skipIf(NO_SHARED)(
    "a garbage private key fails with 'Could not deserialize…' before anything is written",
    async () => {
      const failure = await Promise.resolve()
        .then(() => makeLocalKeyDecryptor(Buffer.from("not a key"), "garbage.pem"))
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(DecryptionError);
      expect((failure as Error).message).toMatch(/^Could not deserialize/);
      expect(await count(db(), "auth_user")).toBe(0);
    },
  );

  it.skipIf(NO_SHARED)(
    "a private key that does not match the archive's key.pub fails with the public-key mismatch error",
    async () => {
      const failure = await decrypted("fresh-install.tar", "other-private.pem").catch(
        (e: unknown) => e,
      );
      expect(failure).toMatchObject({ code: "public_key_mismatch" });
      expect((failure as Error).message).toContain(PUBLIC_KEY_MISMATCH_MESSAGE);
      expect(await count(db(), "auth_user")).toBe(0);
    },
  );

  it("a KMS config that is not JSON fails with a JSON decode error, and one with wrong field names with DecryptionError", () => {
    const notJson = (() => {
      try {
        return parseKmsConfig("{not json", "kms.json");
      } catch (error) {
        return error;
      }
    })();
    expect(notJson).toBeInstanceOf(SentryImportError);
    expect(notJson).not.toBeInstanceOf(DecryptionError);
    expect((notJson as Error).message).toMatch(/not valid JSON/);

    const wrongFields = (() => {
      try {
        return parseKmsConfig(
          JSON.stringify({ project: "p", location: "l", keyring: "r", key: "k", version: "1" }),
          "kms.json",
        );
      } catch (error) {
        return error;
      }
    })();
    expect(wrongFields).toBeInstanceOf(DecryptionError);
  });
});
