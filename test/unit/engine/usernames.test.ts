import { describe, expect, it } from "vitest";
import { pickUniqueUsername, suffixCandidates } from "../../../lib/usernames.ts";

describe("username uniquification", () => {
  it("tries 28 suffixed candidates: 2 of 2 characters, 5 of 3, 20 of 5 and 1 of 12", () => {
    const candidates = suffixCandidates("some-user");
    expect(candidates).toHaveLength(28);
    const suffixLengths = candidates.map((c) => c.length - "some-user-".length);
    expect(suffixLengths).toEqual([2, 2, 3, 3, 3, 3, 3, ...Array<number>(20).fill(5), 12]);
    for (const candidate of candidates) {
      expect(candidate).toMatch(/^some-user-[a-z0-79]+$/);
    }
  });

  it("cuts a long base so that every candidate stays within 128 characters", () => {
    for (const candidate of suffixCandidates("x".repeat(200))) {
      expect(candidate.length).toBeLessThanOrEqual(128);
    }
  });

  it("uses 12 random hex characters when the trimmed name is empty", () => {
    const [first] = suffixCandidates("   ");
    expect(first).toMatch(/^[0-9a-f]{12}-[a-z0-79]{2}$/);
  });

  it("never picks a candidate that collides case-insensitively", () => {
    const taken = new Set(["alice-ab"]);
    const picked = pickUniqueUsername(["Alice-AB", "alice-cd"], (lower) => taken.has(lower));
    expect(picked).toBe("alice-cd");
  });

  it("falls back to the last candidate when all are taken", () => {
    expect(pickUniqueUsername(["a-1", "a-2"], () => true)).toBe("a-2");
  });
});
