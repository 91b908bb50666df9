import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32c } from "../../../lib/adapters/crc32c.ts";

describe("crc32c", () => {
  it("gives the Castagnoli check value 0xE3069283 for 123456789", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
  });

  it("is not zlib's IEEE CRC-32", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32c(Buffer.from("123456789"))).not.toBe(0xcbf43926);
  });

  it("returns an unsigned value and 0 for no bytes", () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // The check value has the top bit set, so a signed result would be negative.
    expect(crc32c(Buffer.from("123456789"))).toBeGreaterThan(0x7fffffff);
  });

  it("hashes only the view, not the whole underlying buffer", () => {
    const backing = Buffer.from("xx123456789yy");
    expect(crc32c(backing.subarray(2, 11))).toBe(0xe3069283);
  });
});
