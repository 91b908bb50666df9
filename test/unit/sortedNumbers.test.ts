import { describe, expect, it } from "vitest";
import { countAtMost, sortedHas } from "../../lib/sortedNumbers.ts";

describe("searches in ascending numbers", () => {
  it("counts the numbers at most a value", () => {
    expect(countAtMost([], 5)).toBe(0);
    expect(countAtMost([1, 3, 3, 7], 0)).toBe(0);
    expect(countAtMost([1, 3, 3, 7], 3)).toBe(3);
    expect(countAtMost([1, 3, 3, 7], 9)).toBe(4);
  });

  it("finds a value in a typed array, and not a neighbour of it", () => {
    const sorted = Float64Array.from([2 ** 40, 2 ** 52 + 2, 5, 17]).sort();
    expect(sortedHas(sorted, 2 ** 52 + 2)).toBe(true);
    expect(sortedHas(sorted, 5)).toBe(true);
    expect(sortedHas(sorted, 6)).toBe(false);
    expect(sortedHas(sorted, 1)).toBe(false);
    expect(sortedHas(new Float64Array(0), 1)).toBe(false);
  });
});
