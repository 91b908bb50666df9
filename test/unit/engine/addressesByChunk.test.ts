import { describe, expect, it } from "vitest";
import { AddressesByChunk } from "../../../lib/engine/addressesByChunk.ts";

function listed(addresses: AddressesByChunk): [number, string[]][] {
  return [...addresses.byChunk].map(([chunk, set]) => [chunk, [...set]]);
}

describe("AddressesByChunk", () => {
  it("keeps each chunk's addresses once, in the order first added", () => {
    const addresses = new AddressesByChunk(100);
    addresses.add(1, "b@x.io");
    addresses.add(1, "a@x.io");
    addresses.add(1, "b@x.io");
    addresses.add(3, "c@x.io");
    expect(listed(addresses)).toEqual([
      [1, ["b@x.io", "a@x.io"]],
      [3, ["c@x.io"]],
    ]);
  });

  it("answers get, size, keys and delete on the lists it hands out", () => {
    const addresses = new AddressesByChunk(100);
    addresses.add(0, 'quote"and\\backslash@x.io');
    addresses.add(2, "d@x.io");
    const lists = addresses.byChunk;
    expect(lists.size).toBe(2);
    expect([...lists.keys()]).toEqual([0, 2]);
    expect(lists.get(0)).toEqual(new Set(['quote"and\\backslash@x.io']));
    expect(lists.get(1)).toBeUndefined();
    expect(lists.delete(0)).toBe(true);
    expect(lists.get(0)).toBeUndefined();
    expect(lists.size).toBe(1);
  });

  it("adds to a chunk whose list was already sealed", () => {
    const addresses = new AddressesByChunk(100);
    addresses.add(0, "a@x.io");
    addresses.add(1, "b@x.io");
    addresses.add(0, "c@x.io");
    expect(addresses.byChunk.get(0)).toEqual(new Set(["a@x.io", "c@x.io"]));
    addresses.add(1, "e@x.io");
    expect(addresses.byChunk.get(1)).toEqual(new Set(["b@x.io", "e@x.io"]));
  });

  it("records nothing past its cap, and says so", () => {
    const addresses = new AddressesByChunk(2);
    expect(addresses.add(0, "a@x.io")).toBe(true);
    expect(addresses.add(0, "a@x.io")).toBe(true);
    expect(addresses.add(1, "b@x.io")).toBe(true);
    expect(addresses.add(1, "c@x.io")).toBe(false);
    expect(listed(addresses)).toEqual([
      [0, ["a@x.io"]],
      [1, ["b@x.io"]],
    ]);
  });

  it("is empty after clear", () => {
    const addresses = new AddressesByChunk(10);
    addresses.add(0, "a@x.io");
    addresses.clear();
    expect(addresses.byChunk.size).toBe(0);
  });
});
