import { describe, expect, it } from "vitest";

import { detectCompression } from "../../../lib/format/compression.ts";

describe("compression detection by magic bytes", () => {
  it.each([
    ["gzip", [0x1f, 0x8b, 0x08]],
    ["bzip2", [0x42, 0x5a, 0x68, 0x39]],
    ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
    ["none", [0x65, 0x78, 0x70]],
    ["none", []],
    ["none", [0xfd, 0x37, 0x7a]],
  ] as const)("detects %s", (expected, bytes) => {
    expect(detectCompression(Uint8Array.from(bytes))).toBe(expected);
  });
});
