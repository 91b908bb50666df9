import { describe, expect, it } from "vitest";
import { foldedHash } from "../../../lib/foldedHash.ts";
import { UserRunIndependence } from "../../../lib/engine/userRunIndependence.ts";

/** Users as [username, email, chunk]; chunk 0 when left out; pks 1, 2, … in order. */
function check(users: readonly (readonly [string, string, number?])[]): UserRunIndependence {
  const independence = new UserRunIndependence();
  users.forEach(([username, email, chunk], i) => {
    independence.add(username, email, chunk ?? 0, i + 1);
  });
  return independence;
}

describe("UserRunIndependence", () => {
  it("finds distinct users independent, shared addresses in one spelling included", () => {
    const result = check([
      ["alice", "a@example.com"],
      ["bob", "shared@example.com"],
      ["carol", "shared@example.com"],
    ]);
    expect(result.independent).toBe(true);
    expect(result.reason).toBeNull();
  });

  it("sees a username repeated in another case", () => {
    const result = check([
      ["Owner", "a@example.com"],
      ["owner", "b@example.com"],
    ]);
    expect(result.independent).toBe(false);
    expect(result.reason).toMatch(/username repeated/);
  });

  it("leaves an address that an earlier chunk's user has to that chunk, in any spelling", () => {
    const result = check([
      ["a", "Shared@example.com", 0],
      ["b", "shared@example.com", 0],
      ["c", "other@example.com", 1],
      ["d", "shared@example.com", 2],
      ["e", "SHARED@example.com", 3],
      ["f", "other@example.com", 3],
    ]);
    expect(result.independent).toBe(true);
    // within chunk 0 the chunk's own insert keeps file order: nothing to leave
    expect([...result.addressesCreatedEarlier].map(([c, a]) => [c, [...a].sort()])).toEqual([
      [2, ["shared@example.com"]],
      [3, ["SHARED@example.com", "other@example.com"]],
    ]);
  });

  it("leaves a run with non-ASCII names in order (the database folds them its own way)", () => {
    expect(check([["İvan", "i@example.com"]]).independent).toBe(false);
    expect(check([["ivan", "ÿ@example.com"]]).independent).toBe(false);
  });

  it("keeps its findings once its tables are released", () => {
    const result = check([
      ["a", "Shared@example.com", 0],
      ["b", "shared@example.com", 1],
    ]);
    result.release();
    expect(result.independent).toBe(true);
    expect([...result.addressesCreatedEarlier.keys()]).toEqual([1]);
    expect(result.usersWithAddress("shared@example.com")).toBeUndefined();
  });

  it("holds 200,000 distinct users without a false repeat", () => {
    const independence = new UserRunIndependence();
    for (let i = 0; i < 200_000; i += 1) {
      independence.add(`user-${String(i)}`, `user-${String(i)}@example.com`, i >> 11, i + 1);
    }
    expect(independence.independent).toBe(true);
    expect(independence.addressesCreatedEarlier.size).toBe(0);
    independence.add("USER-77", "x@example.com", 100, 200_001);
    expect(independence.independent).toBe(false);
  });

  it("lists, per chunk, the addresses a user email of another user has too", () => {
    const result = check([
      ["alice", "alice@example.com", 0],
      ["bob", "Bob@Example.com", 0],
      ["carol", "carol@example.com", 1],
      ["dave", "shared@example.com", 1],
      ["erin", "shared@example.com", 2],
    ]);
    // alice's own address: the side effect's pair, not another user's
    result.noteUserEmail("alice@example.com", 1);
    // carol's address as a secondary address of alice; bob's, spelled otherwise (left to bob)
    result.noteUserEmail("carol@example.com", 1);
    result.noteUserEmail("bob@example.com", 5);
    // erin's own address, which dave's chunk creates: listed, harmlessly (it takes the slow path)
    result.noteUserEmail("shared@example.com", 5);
    // an address no user has, and one whose user is not a plain pk
    result.noteUserEmail("nobody@example.com", 2);
    result.noteUserEmail("alice@example.com", null);
    const lists = result.addressesInOtherUserEmails();
    expect([...lists.keys()].sort()).toEqual([0, 1]);
    expect([...(lists.get(0) ?? [])]).toEqual([foldedHash("alice@example.com")]);
    expect([...(lists.get(1) ?? [])]).toEqual(
      [foldedHash("carol@example.com"), foldedHash("shared@example.com")].sort((a, b) => a - b),
    );
  });
});
