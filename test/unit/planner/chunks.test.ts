import { describe, expect, it } from "vitest";
import { chunkOffset, cutChunks, DEFAULT_CHUNK_SIZE } from "../../../lib/planner/chunks.ts";
import type { Run } from "../../../lib/planner/runs.ts";
import { m } from "./doubles.ts";

function run(rowCount: number, firstPosition = 1): Run {
  return {
    model: m("sentry.user"),
    firstPosition,
    lastPosition: firstPosition + rowCount - 1,
    rowCount,
  };
}

const ordinals = (r: Run, size: number) => cutChunks(r, size).map((c) => c.minOrdinal);

describe("chunk cutting", () => {
  it("defaults to Sentry's batch size of 20", () => {
    expect(DEFAULT_CHUNK_SIZE).toBe(20);
  });

  it("cuts 21 rows into 1–20 and 21–21", () => {
    expect(cutChunks(run(21), 20)).toEqual([
      { minOrdinal: 1, rowCount: 20, firstPosition: 1, lastPosition: 20 },
      { minOrdinal: 21, rowCount: 1, firstPosition: 21, lastPosition: 21 },
    ]);
  });

  it("cuts a run of 41 users into chunks at ordinals 1, 21 and 41 (§12.1 example)", () => {
    const chunks = cutChunks(run(41), 20);
    expect(chunks.map((c) => c.minOrdinal)).toEqual([1, 21, 41]);
    expect(chunks.map(chunkOffset)).toEqual([0, 20, 40]);
    // source pks 101–141 in file order: the first chunk covers 101–120, the last only 141
    const pkAt = (position: number) => 100 + position;
    expect([pkAt(chunks[0]?.firstPosition ?? 0), pkAt(chunks[0]?.lastPosition ?? 0)]).toEqual([
      101, 120,
    ]);
    expect(chunks[2]).toMatchObject({ rowCount: 1, firstPosition: 41, lastPosition: 41 });
  });

  it("(h) with chunk size 1000 cuts 2500 rows at ordinals 1, 1001 and 2001", () => {
    expect(cutChunks(run(2500), 1000)).toEqual([
      { minOrdinal: 1, rowCount: 1000, firstPosition: 1, lastPosition: 1000 },
      { minOrdinal: 1001, rowCount: 1000, firstPosition: 1001, lastPosition: 2000 },
      { minOrdinal: 2001, rowCount: 500, firstPosition: 2001, lastPosition: 2500 },
    ]);
  });

  it("counts ordinals within the run but positions within the file", () => {
    expect(cutChunks(run(25, 41), 20)).toEqual([
      { minOrdinal: 1, rowCount: 20, firstPosition: 41, lastPosition: 60 },
      { minOrdinal: 21, rowCount: 5, firstPosition: 61, lastPosition: 65 },
    ]);
  });

  it("cuts the same chunks every time for the same run and size", () => {
    expect(cutChunks(run(2500), 1000)).toEqual(cutChunks(run(2500), 1000));
    expect(ordinals(run(3), 1)).toEqual([1, 2, 3]);
    expect(ordinals(run(20), 20)).toEqual([1]);
    expect(ordinals(run(7), 5000)).toEqual([1]);
  });

  it("rejects a chunk size that is not a positive integer", () => {
    expect(() => cutChunks(run(3), 0)).toThrow();
    expect(() => cutChunks(run(3), 2.5)).toThrow();
  });
});
