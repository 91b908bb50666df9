import { describe, expect, it } from "vitest";
import { isKnownTimeZone } from "../../../lib/export/validate.ts";

describe("isKnownTimeZone", () => {
  it("knows IANA zones and their aliases, and says so again from its cache", () => {
    for (let i = 0; i < 2; i += 1) {
      expect(isKnownTimeZone("Europe/Vienna")).toBe(true);
      expect(isKnownTimeZone("US/Pacific")).toBe(true);
      expect(isKnownTimeZone("UTC")).toBe(true);
    }
  });

  it("refuses made-up names, offsets and the empty string, also when asked twice", () => {
    for (let i = 0; i < 2; i += 1) {
      expect(isKnownTimeZone("Mars/Olympus_Mons")).toBe(false);
      expect(isKnownTimeZone("+01:00")).toBe(false);
      expect(isKnownTimeZone("")).toBe(false);
    }
  });
});
