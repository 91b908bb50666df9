import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { importUuid } from "../../../lib/ledger/key.ts";
import { TASK_ID_PATTERN, taskIdFor } from "../../../lib/pipeline/taskIds.ts";
import { toModelName } from "../../../lib/registry/types.ts";

const UUID = importUuid("0f9c3a5e-8d2b-4c1a-9e7f-1a2b3c4d5e6f");
const USER = toModelName("sentry.user");

describe("taskIdFor", () => {
  it("is deterministic: the same ledger key always names the same task", () => {
    expect(taskIdFor(UUID, USER, 1)).toBe(taskIdFor(UUID, USER, 1));
  });

  it("puts the first 16 hex digits of sha256(uuid:model:minOrdinal) first, then model and ordinal", () => {
    const hash = createHash("sha256")
      .update("0f9c3a5e-8d2b-4c1a-9e7f-1a2b3c4d5e6f:sentry.user:101")
      .digest("hex")
      .slice(0, 16);
    expect(taskIdFor(UUID, USER, 101)).toBe(`${hash}-sentry-user-101`);
  });

  it("gives an uppercase or undashed spelling of the uuid the same id once parsed", () => {
    const undashed = importUuid("0F9C3A5E8D2B4C1A9E7F1A2B3C4D5E6F");
    expect(taskIdFor(undashed, USER, 1)).toBe(taskIdFor(UUID, USER, 1));
  });

  it("differs whenever any part of the key differs, and the hash prefixes are spread out", () => {
    const ids = [
      taskIdFor(UUID, USER, 1),
      taskIdFor(UUID, USER, 2),
      taskIdFor(UUID, toModelName("sentry.useremail"), 1),
      taskIdFor(importUuid("1f9c3a5e-8d2b-4c1a-9e7f-1a2b3c4d5e6f"), USER, 1),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    // consecutive chunks do not share a prefix (no hot-spotting on sequential names)
    const prefixes = Array.from({ length: 50 }, (_, i) => taskIdFor(UUID, USER, i + 1).slice(0, 4));
    expect(new Set(prefixes).size).toBeGreaterThan(40);
  });

  it("uses only [A-Za-z0-9_-] and stays within 500 characters, even for odd model names", () => {
    const odd = toModelName(`sentry.${"x".repeat(600)}.with spaces/and:colons`);
    for (const id of [
      taskIdFor(UUID, USER, 1),
      taskIdFor(UUID, toModelName("sentry.userrole_user"), Number.MAX_SAFE_INTEGER),
      taskIdFor(UUID, odd, Number.MAX_SAFE_INTEGER),
    ]) {
      expect(id).toMatch(TASK_ID_PATTERN);
      expect(id.length).toBeLessThanOrEqual(500);
    }
    expect(taskIdFor(UUID, toModelName("sentry.userrole_user"), 7)).toMatch(
      /^[0-9a-f]{16}-sentry-userrole_user-7$/,
    );
  });

  it("refuses an ordinal that is not a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => taskIdFor(UUID, USER, bad)).toThrow(RangeError);
    }
  });
});
