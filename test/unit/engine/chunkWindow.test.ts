import { describe, expect, it } from "vitest";
import { ChunkWindow } from "../../../lib/engine/chunkWindow.ts";
import type { AttemptChunk, ChunkAttempt } from "../../../lib/engine/chunkWindow.ts";

/** A delivery that ends when the test says so, recording how it was asked. */
interface Delivery {
  readonly item: number;
  readonly concurrentSiblings: boolean;
  readonly end: (result: ChunkAttempt | Error) => void;
}

function controlledDeliveries(): { deliveries: Delivery[]; attempt: AttemptChunk<number> } {
  const deliveries: Delivery[] = [];
  const attempt: AttemptChunk<number> = (item, concurrentSiblings) =>
    new Promise((resolve, reject) => {
      deliveries.push({
        item,
        concurrentSiblings,
        end: (result) => {
          if (result instanceof Error) {
            reject(result);
          } else {
            resolve(result);
          }
        },
      });
    });
  return { deliveries, attempt };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("ChunkWindow", () => {
  it("with width 1 delivers each chunk after the one before, without concurrent siblings", async () => {
    const order: string[] = [];
    const window = new ChunkWindow<number>(1, () => order.push("frontier"));
    const attempt: AttemptChunk<number> = (item, concurrentSiblings) => {
      order.push(`${String(item)}:${String(concurrentSiblings)}`);
      return Promise.resolve("committed");
    };
    for (const index of [0, 1, 2]) {
      await window.submit(index, index, attempt);
    }
    await window.finish(attempt);
    expect(order).toEqual(["0:false", "frontier", "1:false", "frontier", "2:false", "frontier"]);
  });

  it("keeps up to `width` chunks in flight and reports them committed in ordinal order", async () => {
    const { deliveries, attempt } = controlledDeliveries();
    let frontier = 0;
    const window = new ChunkWindow<number>(2, () => (frontier += 1));
    await window.submit(0, 0, attempt);
    await window.submit(1, 1, attempt);
    const third = window.submit(2, 2, attempt);
    await tick();
    expect(deliveries.map((d) => d.item)).toEqual([0, 1]);
    expect(deliveries.every((d) => d.concurrentSiblings)).toBe(true);

    deliveries[1]?.end("committed");
    await third;
    // chunk 1 committed before chunk 0: nothing is reported until chunk 0 has
    expect(frontier).toBe(0);
    expect(deliveries.map((d) => d.item)).toEqual([0, 1, 2]);
    deliveries[0]?.end("committed");
    await tick();
    expect(frontier).toBe(2);
    deliveries[2]?.end("committed");
    await window.finish(attempt);
    expect(frontier).toBe(3);
  });

  it("narrows to one for good once a chunk needs order, and delivers it again in order", async () => {
    const { deliveries, attempt } = controlledDeliveries();
    const committed: number[] = [];
    let frontier = 0;
    const window = new ChunkWindow<number>(2, () => (frontier += 1));
    const recording: AttemptChunk<number> = async (item, siblings) => {
      const result = await attempt(item, siblings);
      if (result === "committed") {
        committed.push(item);
      }
      return result;
    };
    await window.submit(0, 0, recording);
    await window.submit(1, 1, recording);
    const third = window.submit(2, 2, recording);
    deliveries[0]?.end("needsOrder");
    await tick();
    // chunk 2 waits for chunk 1 to end, then chunk 0 goes again alone, without siblings
    expect(deliveries.map((d) => d.item)).toEqual([0, 1]);
    deliveries[1]?.end("committed");
    await tick();
    expect(deliveries.map((d) => [d.item, d.concurrentSiblings])).toEqual([
      [0, true],
      [1, true],
      [0, false],
    ]);
    expect(frontier).toBe(0);
    deliveries[2]?.end("committed");
    await tick();
    expect(frontier).toBe(2);
    expect(deliveries[3]).toMatchObject({ item: 2, concurrentSiblings: false });
    deliveries[3]?.end("committed");
    await third;
    await window.finish(recording);
    expect(committed).toEqual([1, 0, 2]);
    expect(frontier).toBe(3);
  });

  it("throws the first failure at the next submit, after nothing new started", async () => {
    const { deliveries, attempt } = controlledDeliveries();
    const window = new ChunkWindow<number>(2, () => undefined);
    await window.submit(0, 0, attempt);
    await window.submit(1, 1, attempt);
    const third = window.submit(2, 2, attempt);
    deliveries[0]?.end(new Error("chunk 0 failed"));
    await expect(third).rejects.toThrow("chunk 0 failed");
    expect(deliveries.map((d) => d.item)).toEqual([0, 1]);
    deliveries[1]?.end("committed");
    await window.abandon();
  });

  it("does not report a stopped chunk as committed", async () => {
    let frontier = 0;
    const window = new ChunkWindow<number>(2, () => (frontier += 1));
    const attempt: AttemptChunk<number> = (item) =>
      Promise.resolve(item === 0 ? "stopped" : "committed");
    await window.submit(0, 0, attempt);
    await window.submit(1, 1, attempt);
    await window.finish(attempt);
    expect(frontier).toBe(0);
  });
});
