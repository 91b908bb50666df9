/**
 * Random values the importer mints: replacement passwords (decision e), validation and
 * lost-password hashes, and API token secrets. Only node:crypto; no SDK.
 */
import { createHash, pbkdf2Sync, randomBytes, randomFillSync } from "node:crypto";

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * Random bytes drawn from the CSPRNG a pool at a time: `randomInt` per character was a system
 * call's worth of work for each of the ~100 characters an imported user gets.
 */
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

function randomByte(): number {
  if (poolUsed === pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const byte = pool[poolUsed] ?? 0;
  poolUsed += 1;
  return byte;
}

/** `length` characters drawn uniformly from `alphabet` (Django's `get_random_string`). */
export function randomString(length: number, alphabet: string = ALPHANUMERIC): string {
  if (alphabet.length === 0 || alphabet.length > 256) {
    // one random byte draws one character
    throw new RangeError(
      `an alphabet of ${String(alphabet.length)} characters cannot be drawn from`,
    );
  }
  // rejection sampling keeps the draw uniform: bytes at or above the largest multiple of the
  // alphabet's size are thrown away
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    const byte = randomByte();
    if (byte < limit) {
      out += alphabet.charAt(byte % alphabet.length);
    }
  }
  return out;
}

export type PasswordMode =
  { readonly kind: "unusable" } | { readonly kind: "pbkdf2"; readonly iterations: number };

export const DEFAULT_PBKDF2_ITERATIONS = 1_000_000;

/** Django's unusable password: `!` and 40 random alphanumerics; no login can ever match it. */
export function unusablePassword(): string {
  return `!${randomString(40)}`;
}

/**
 * Django's `PBKDF2PasswordHasher.encode` of `secret`: `pbkdf2_sha256$<iterations>$<salt>$<hash>`,
 * with a 22-character salt and the standard base64 of a 32-byte derived key.
 */
export function pbkdf2Password(
  secret: string,
  iterations: number,
  salt: string = randomString(22),
): string {
  const hash = pbkdf2Sync(secret, salt, iterations, 32, "sha256").toString("base64");
  return `pbkdf2_sha256$${String(iterations)}$${salt}$${hash}`;
}

/** The password an inserted unclaimed user gets: nobody knows it, so both modes are equivalent. */
export function replacementPassword(mode: PasswordMode): string {
  switch (mode.kind) {
    case "unusable":
      return unusablePassword();
    case "pbkdf2":
      return pbkdf2Password(randomString(32), mode.iterations);
  }
}

/** A 32-character `[A-Za-z0-9]` hash, as UserEmail.validation_hash and LostPasswordHash.hash use. */
export function randomHash32(): string {
  return randomString(32);
}

/** A new API token secret: the optional type prefix and 64 lowercase hex characters. */
export function mintTokenSecret(tokenType: string | null): string {
  return `${tokenType ?? ""}${randomBytes(32).toString("hex")}`;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
