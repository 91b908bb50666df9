import { pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  mintTokenSecret,
  pbkdf2Password,
  randomHash32,
  randomString,
  replacementPassword,
  sha256Hex,
} from "../../../lib/secrets.ts";

describe("replacement passwords (decision e)", () => {
  it("gives an unusable Django password by default", () => {
    expect(replacementPassword({ kind: "unusable" })).toMatch(/^![A-Za-z0-9]{40}$/);
  });

  it("gives a Django pbkdf2_sha256 hash that verifies with the secret it was made from", () => {
    const encoded = pbkdf2Password("the-secret", 1000);
    expect(encoded).toMatch(/^pbkdf2_sha256\$1000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$/);
    const [, iterations, salt, hash] = encoded.split("$");
    const expected = pbkdf2Sync("the-secret", salt ?? "", Number(iterations), 32, "sha256");
    expect(hash).toBe(expected.toString("base64"));
  });

  it("uses the configured iteration count in pbkdf2 mode", () => {
    expect(replacementPassword({ kind: "pbkdf2", iterations: 1200 })).toMatch(
      /^pbkdf2_sha256\$1200\$/,
    );
  });
});

describe("randomString", () => {
  it("draws every character of the alphabet about equally often, and nothing else", () => {
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const counts = new Map<string, number>();
    // 620,000 draws: each character's count is ~10,000 with a standard deviation of ~100
    for (let i = 0; i < 10_000; i += 1) {
      for (const c of randomString(62)) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
    }
    expect([...counts.keys()].sort().join("")).toBe(Array.from(alphabet).sort().join(""));
    for (const [c, n] of counts) {
      expect([c, Math.abs(n - 10_000) < 800]).toEqual([c, true]);
    }
  });

  it("honours the requested length and a small alphabet", () => {
    expect(randomString(0)).toBe("");
    const drawn = randomString(5000, "xyz");
    expect(drawn).toMatch(/^[xyz]{5000}$/);
    expect(new Set(drawn).size).toBe(3);
  });

  it("refuses an alphabet one random byte cannot draw from", () => {
    expect(() => randomString(4, "")).toThrow(RangeError);
    expect(() => randomString(4, "x".repeat(257))).toThrow(RangeError);
  });
});

describe("minted secrets", () => {
  it("makes 32-character alphanumeric hashes", () => {
    expect(randomHash32()).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(randomHash32()).not.toBe(randomHash32());
  });

  it("mints a token as the type prefix and 64 lowercase hex characters", () => {
    expect(mintTokenSecret("sntryu_")).toMatch(/^sntryu_[0-9a-f]{64}$/);
    expect(mintTokenSecret(null)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("hashes tokens as SHA-256 hex", () => {
    expect(sha256Hex("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
