import { describe, expect, it } from "vitest";
import { foldedHash } from "../../../lib/foldedHash.ts";
import { UserRunIndependence } from "../../../lib/engine/userRunIndependence.ts";

/** Users as [username, email, chunk]; chunk 0 when left out. */
function check(users: readonly (readonly [string, string, number?])[]): UserRunIndependence {
  const independence = new UserRunIndependence();
  for (const [username, email, chunk] of users) {
    independence.add(username, email, chunk ?? 0);
  }
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
      independence.add(`user-${String(i)}`, `user-${String(i)}@example.com`, i >> 11);
    }
    expect(independence.independent).toBe(true);
    expect(independence.addressesCreatedEarlier.size).toBe(0);
    independence.add("USER-77", "x@example.com", 100);
    expect(independence.independent).toBe(false);
  });

  it("lists, per chunk, the addresses more user emails than users spell alike", () => {
    const result = check([
      ["alice", "alice@example.com", 0],
      ["bob", "Bob@Example.com", 0],
      ["carol", "carol@example.com", 1],
      ["dave", "shared@example.com", 1],
      ["erin", "shared@example.com", 2],
    ]);
    // every user's own user email, as a Sentry export has them
    for (const address of ["alice@example.com", "Bob@Example.com", "carol@example.com"]) {
      result.noteUserEmail(address);
    }
    result.noteUserEmail("shared@example.com");
    result.noteUserEmail("shared@example.com");
    // carol's address as alice's second one: another user's, spelled alike
    result.noteUserEmail("carol@example.com");
    // bob's, spelled otherwise: left to bob; and an address no user has
    result.noteUserEmail("bob@example.com");
    result.noteUserEmail("nobody@example.com");
    const lists = result.addressesInOtherUserEmails();
    expect([...lists.keys()]).toEqual([1]);
    expect([...(lists.get(1) ?? [])]).toEqual([foldedHash("carol@example.com")]);
  });

  it("lists an address whose user emails spelled alike reach the count's limit", () => {
    const result = check([["alice", "alice@example.com", 3]]);
    for (let i = 0; i < 20; i += 1) {
      result.noteUserEmail("alice@example.com");
    }
    expect([...result.addressesInOtherUserEmails().keys()]).toEqual([3]);
  });
});
