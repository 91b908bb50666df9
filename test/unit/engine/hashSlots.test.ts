import { describe, expect, it } from "vitest";
import { HashSlots } from "../../../lib/engine/hashSlots.ts";
import { hash53 } from "../../../lib/foldedHash.ts";

describe("HashSlots", () => {
  it("keeps keys and their columns through many growths", () => {
    const table = new HashSlots(2);
    const n = 50_000;
    for (let i = 0; i < n; i += 1) {
      const slot = table.add(hash53(`user${String(i)}@example.com`));
      table.column(0)[slot] = i + 1;
      table.column(1)[slot] = -(i + 1);
    }
    for (let i = 0; i < n; i += 1) {
      const slot = table.find(hash53(`user${String(i)}@example.com`));
      expect(slot).not.toBe(-1);
      expect(table.column(0)[slot]).toBe(i + 1);
      expect(table.column(1)[slot]).toBe(-(i + 1));
    }
    expect(table.find(hash53("nobody@example.com"))).toBe(-1);
  });

  it("adds a key once, with its columns zero until set", () => {
    const table = new HashSlots(1);
    const slot = table.add(hash53("a"));
    expect(table.column(0)[slot]).toBe(0);
    table.column(0)[slot] = 7;
    expect(table.add(hash53("a"))).toBe(slot);
    expect(table.column(0)[slot]).toBe(7);
  });

  it("is empty and usable again after release", () => {
    const table = new HashSlots(1);
    for (let i = 0; i < 5_000; i += 1) {
      table.add(hash53(String(i)));
    }
    table.release();
    expect(table.find(hash53("1"))).toBe(-1);
    const slot = table.add(hash53("1"));
    expect(table.column(0)[slot]).toBe(0);
  });

  it("refuses a column it does not have", () => {
    expect(() => new HashSlots(1).column(1)).toThrow(RangeError);
  });
});
