import { describe, expect, it } from "vitest";
import { RunFrontiers } from "../../../lib/engine/runFrontiers.ts";
import { USER, USER_ROLE } from "../../../lib/registry/names.ts";

/** Whether `promise` has settled once pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("RunFrontiers", () => {
  it("opens a gate when enough chunks of the run have committed", async () => {
    const frontiers = new RunFrontiers();
    const waiting = frontiers.waitFor([{ model: USER, chunks: 2 }]);
    frontiers.advance(USER);
    expect(await settled(waiting)).toBe(false);
    frontiers.advance(USER);
    expect(await settled(waiting)).toBe(true);
  });

  it("waits for every gate of a chunk", async () => {
    const frontiers = new RunFrontiers();
    const waiting = frontiers.waitFor([
      { model: USER, chunks: 1 },
      { model: USER_ROLE, chunks: 1 },
    ]);
    frontiers.advance(USER);
    expect(await settled(waiting)).toBe(false);
    frontiers.complete(USER_ROLE);
    expect(await settled(waiting)).toBe(true);
  });

  it("an open gate and no gates resolve at once", async () => {
    const frontiers = new RunFrontiers();
    frontiers.advance(USER);
    expect(await settled(frontiers.waitFor([{ model: USER, chunks: 1 }]))).toBe(true);
    expect(await settled(frontiers.waitFor([]))).toBe(true);
  });

  it("release wakes every waiter, now and later (a stopped import)", async () => {
    const frontiers = new RunFrontiers();
    const waiting = frontiers.waitFor([{ model: USER, chunks: 5 }]);
    frontiers.release();
    expect(await settled(waiting)).toBe(true);
    expect(await settled(frontiers.waitFor([{ model: USER, chunks: 9 }]))).toBe(true);
  });
});
