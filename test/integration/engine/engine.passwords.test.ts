/**
 * import-semantics.md §18.13 (e) in pbkdf2 mode, on both adapters: the replacement password has
 * Django's `pbkdf2_sha256$<iterations>$<salt>$<hash>` form and verifies under Django's algorithm
 * with the secret it was made from. The secret is discarded by design, so this file recovers it:
 * `node:crypto`'s `randomFillSync` is wrapped to log every random byte the secrets module draws,
 * and those bytes, read as `randomString` reads them, hold the 32 secret characters right before
 * the 22 salt characters.
 */
import { pbkdf2Sync } from "node:crypto";
import type * as Crypto from "node:crypto";
import { expect, it, vi } from "vitest";
import { engineSuite, importRows, rowsOf, userRow } from "../../support/engine.ts";

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

const draws = vi.hoisted(() => ({ log: [] as number[] }));

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof Crypto>();
  const randomFillSync = <T extends NodeJS.ArrayBufferView>(buffer: T): T => {
    actual.randomFillSync(buffer);
    draws.log.push(...new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    return buffer;
  };
  return { ...actual, default: { ...actual, randomFillSync }, randomFillSync };
});

const ITERATIONS = 1000;
const PBKDF2 = new RegExp(
  `^pbkdf2_sha256\\$${String(ITERATIONS)}\\$([A-Za-z0-9]{22})\\$([A-Za-z0-9+/]{43}=)$`,
);

/** Django's `PBKDF2PasswordHasher.verify`: recompute from the encoded parts and compare. */
function djangoVerifies(secret: string, encoded: string): boolean {
  const [algorithm, iterations, salt, hash, ...rest] = encoded.split("$");
  if (algorithm !== "pbkdf2_sha256" || rest.length > 0 || salt === undefined) {
    return false;
  }
  const derived = pbkdf2Sync(secret, salt, Number(iterations), 32, "sha256").toString("base64");
  return derived === hash;
}

/**
 * The 32 alphanumeric draws right before the salt's 22 in the log. Every byte ever drawn is
 * logged (the secrets module keeps a pool), read as `randomString` does: bytes under 248 are
 * characters, the others are thrown away.
 */
function secretBefore(salt: string): string | null {
  const text = draws.log
    .filter((byte) => byte < 248)
    .map((byte) => ALPHANUMERIC.charAt(byte % 62))
    .join("");
  const at = text.indexOf(salt);
  return at < 32 ? null : text.slice(at - 32, at);
}

engineSuite("§18.13 (e) pbkdf2 passwords", (db) => {
  it("(e) in pbkdf2 mode an inserted user's password has Django's pbkdf2_sha256 form and verifies under Django's algorithm with the injected secret", async () => {
    await importRows(db(), [userRow(1, "first"), userRow(2, "second")], {
      passwordMode: { kind: "pbkdf2", iterations: ITERATIONS },
    });
    const passwords = await rowsOf<{ password: string }>(
      db(),
      "SELECT password FROM auth_user ORDER BY id",
    );
    expect(passwords).toHaveLength(2);
    for (const { password } of passwords) {
      const [, salt] = PBKDF2.exec(password) ?? [];
      expect(salt).toBeDefined();
      const secret = secretBefore(salt ?? "");
      expect(secret).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(djangoVerifies(secret ?? "", password)).toBe(true);
      expect(djangoVerifies("not the secret", password)).toBe(false);
    }
  });
});
