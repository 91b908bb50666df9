import { describe, expect, it } from "vitest";
import { ReferenceBounds } from "../../../lib/engine/chunkGates.ts";
import { UserEmailAddresses } from "../../../lib/engine/userEmailAddresses.ts";
import { UserRunIndependence } from "../../../lib/engine/userRunIndependence.ts";
import type { ImportUuid } from "../../../lib/ledger/key.ts";
import { planWithRegistry } from "../../../lib/planner/registryPlan.ts";
import { detectRuns } from "../../../lib/planner/runs.ts";
import { USER, USER_EMAIL } from "../../../lib/registry/names.ts";
import { getModel } from "../../../lib/registry/registry.ts";

const UUID = "0b1a5c8e-2f4d-4a6b-9c3e-7d8f9a0b1c2d" as ImportUuid;
const CHUNK_SIZE = 2;

/** Users (address per user, two per chunk), then one user email per address given. */
function plan(users: readonly string[], userEmails: readonly string[], mergeUsers: boolean) {
  const userRun = new UserRunIndependence({ lastChunks: mergeUsers });
  const bounds = new ReferenceBounds(CHUNK_SIZE);
  const userSpec = getModel(USER);
  const userEmailSpec = getModel(USER_EMAIL);
  if (userSpec === undefined || userEmailSpec === undefined) {
    throw new Error("registry");
  }
  users.forEach((email, i) => {
    userRun.add(`user-${String(i)}`, email, Math.floor(i / CHUNK_SIZE));
    bounds.add(userSpec, i + 1, i + 1, {});
  });
  const addresses = new UserEmailAddresses(CHUNK_SIZE, mergeUsers);
  userEmails.forEach((email, i) => {
    // every user email belongs to the first user: its FK needs one user chunk
    bounds.add(userEmailSpec, i + 1, i + 1, { user: 1 });
    addresses.add(i + 1, email, userRun, bounds);
  });
  const gates = bounds.gates(
    planWithRegistry({
      importUuid: UUID,
      scope: "Config",
      chunkSize: CHUNK_SIZE,
      runs: detectRuns([...users.map(() => USER), ...userEmails.map(() => USER_EMAIL)]),
    }),
  );
  return { left: addresses.left, gates: gates.get(USER_EMAIL) };
}

const USERS = ["a@x.io", "b@x.io", "c@x.io", "Shared@x.io", "e@x.io", "shared@x.io"];

describe("UserEmailAddresses", () => {
  it("leaves an address that the first user with it spells otherwise to that user", () => {
    const { left, gates } = plan(USERS, ["shared@x.io", "Shared@x.io", "new@x.io"], false);
    expect([...left].map(([chunk, a]) => [chunk, [...a]])).toEqual([[0, ["shared@x.io"]]]);
    // nothing to wait for beyond the user email's own user
    expect(gates).toEqual([[{ model: USER, chunks: 1 }], [{ model: USER, chunks: 1 }]]);
  });

  it("with --merge-users waits for the chunk of the last user with the address instead", () => {
    const { left, gates } = plan(USERS, ["shared@x.io", "b@x.io", "new@x.io"], true);
    expect(left.size).toBe(0);
    expect(gates).toEqual([[{ model: USER, chunks: 3 }], [{ model: USER, chunks: 1 }]]);
  });

  it("waits for the whole user run for an address outside ASCII", () => {
    const { gates } = plan(USERS, ["new@x.io", "zoë@x.io"], false);
    expect(gates).toEqual([[{ model: USER, chunks: 3 }]]);
  });
});
