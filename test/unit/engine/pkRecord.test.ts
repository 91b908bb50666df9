import { describe, expect, it } from "vitest";
import { PkRecord } from "../../../lib/engine/pkRecord.ts";

/** Feeds `pks` in and returns what the record sorts out of them. */
function recordOf(pks: readonly number[]): number[] {
  const record = new PkRecord();
  for (const pk of pks) {
    record.add(pk);
  }
  return [...record.sorted()];
}

function sortedCopy(pks: readonly number[]): number[] {
  return [...pks].sort((a, b) => a - b);
}

describe("PkRecord", () => {
  it("keeps consecutive ascending pks, and gaps between them", () => {
    const pks = [1, 2, 3, 7, 8, 20, 21, 22, 23, 100];
    expect(recordOf(pks)).toEqual(pks);
  });

  it("keeps every pk once they stop ascending, a repeated one twice", () => {
    const pks = [5, 6, 7, 10, 3, 6, 11];
    expect(recordOf(pks)).toEqual(sortedCopy(pks));
  });

  it("switches to a list when ascending pks have too many gaps, losing none", () => {
    const pks = Array.from({ length: 20_000 }, (_, i) => i * 3 + 1);
    expect(recordOf(pks)).toEqual(pks);
    // and a repetition after the switch still shows up
    expect(recordOf([...pks, 4]).filter((pk) => pk === 4)).toHaveLength(2);
  });

  it("spans more than one block", () => {
    const pks = Array.from({ length: 150_000 }, (_, i) => 150_000 - i);
    expect(recordOf(pks)).toEqual(sortedCopy(pks));
  });

  it("says whether the pks ascended", () => {
    const record = new PkRecord();
    record.add(1);
    record.add(5);
    expect(record.ascending).toBe(true);
    record.add(5);
    expect(record.ascending).toBe(false);
    record.add(9);
    expect(record.ascending).toBe(false);
  });

  it("is empty when nothing was added", () => {
    expect(recordOf([])).toEqual([]);
  });
});
