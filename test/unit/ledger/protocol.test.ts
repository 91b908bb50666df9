import { describe, expect, it, vi } from "vitest";
import { DbError } from "../../../lib/errors.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import type { LedgerKey } from "../../../lib/ledger/key.ts";
import { importChunkOnce, ledgerKeyViolationOn } from "../../../lib/ledger/protocol.ts";
import type { ChunkProtocolSteps } from "../../../lib/ledger/protocol.ts";
import { chunkResultFromRecords } from "../../../lib/ledger/result.ts";
import type { ChunkResult } from "../../../lib/ledger/result.ts";
import { newPk, oldPk } from "../../../lib/pkmap.ts";
import { CHUNK_LEDGER_KEY } from "../../../lib/registry/tables.ts";
import { toModelName } from "../../../lib/registry/types.ts";
import { MemoryLedger, TABLE } from "./memoryLedger.ts";

const KEY: LedgerKey = {
  importUuid: importUuid("9d2b8f3e-0c4a-4e71-b5d6-2a8f1c3e7b90"),
  model: toModelName("sentry.user"),
  minOrdinal: 21,
};

/** What writing the chunk records: new ids come from a sequence, as Postgres would assign them. */
function resultFrom(firstId: number, key: LedgerKey = KEY): ChunkResult {
  return chunkResultFromRecords({
    model: key.model,
    minOrdinal: key.minOrdinal,
    records: [121, 122, 123].map((old, i) => ({
      oldPk: oldPk(old),
      newPk: newPk(firstId + i),
      kind: "Inserted" as const,
      slug: null,
    })),
  });
}

function stepsOver(ledger: MemoryLedger, firstId = 1): ChunkProtocolSteps {
  let nextId = firstId;
  return {
    findLedgerRow: (key) => ledger.find(key),
    writeChunk: (key) => {
      const result = resultFrom(nextId, key);
      nextId += 3;
      return Promise.resolve(ledger.commit(key, result));
    },
    isLedgerKeyViolation: ledgerKeyViolationOn(TABLE),
  };
}

describe("the idempotent chunk protocol", () => {
  it("processes the same chunk twice and writes once", async () => {
    const ledger = new MemoryLedger();
    const steps = stepsOver(ledger);
    const first = await importChunkOnce(KEY, steps);
    const second = await importChunkOnce(KEY, steps);
    expect(first.kind).toBe("imported");
    expect(second.kind).toBe("alreadyImported");
    expect(ledger.transactions).toBe(1);
    expect(ledger.rows.size).toBe(1);
    expect([...ledger.written.values()]).toEqual([3]);
    if (first.kind === "retry" || second.kind === "retry") {
      throw new Error("unexpected retry");
    }
    // §18.9: the identical result, ordinals, source pks, inserted pks and pk map
    expect(second.result).toEqual(first.result);
  });

  it("answers a redelivery after a lost reply with the lost reply's result", async () => {
    const ledger = new MemoryLedger();
    const lost = await importChunkOnce(KEY, stepsOver(ledger, 100));
    // a new process (fresh id sequence) receives the same task again
    const redelivered = await importChunkOnce(KEY, stepsOver(ledger, 500));
    expect(redelivered).toEqual({
      kind: "alreadyImported",
      result: lost.kind === "imported" ? lost.result : null,
    });
  });

  it("returns the existing ledger row when a concurrent import wins", async () => {
    const ledger = new MemoryLedger();
    const winner = resultFrom(70);
    const steps: ChunkProtocolSteps = {
      // both deliveries miss the ledger row…
      findLedgerRow: vi
        .fn<ChunkProtocolSteps["findLedgerRow"]>()
        .mockResolvedValueOnce(null)
        .mockImplementation((key) => ledger.find(key)),
      // …the other one commits first, ours then fails on the ledger key and rolls back
      writeChunk: (key) => {
        ledger.commit(key, winner);
        return Promise.resolve(ledger.commit(key, resultFrom(1)));
      },
      isLedgerKeyViolation: ledgerKeyViolationOn(TABLE),
    };
    const outcome = await importChunkOnce(KEY, steps);
    expect(outcome).toEqual({ kind: "lostRace", result: winner });
    expect(ledger.rows.size).toBe(1);
    expect(steps.findLedgerRow).toHaveBeenCalledTimes(2);
  });

  it("lets any other error propagate: a data collision is not a lost race", async () => {
    const collision = new DbError("duplicate", "duplicate key", {
      table: "auth_user",
      columns: ["username"],
    });
    const steps: ChunkProtocolSteps = {
      findLedgerRow: () => Promise.resolve(null),
      writeChunk: () => Promise.reject(collision),
      isLedgerKeyViolation: ledgerKeyViolationOn(TABLE),
    };
    await expect(importChunkOnce(KEY, steps)).rejects.toBe(collision);
    const retryable = new DbError("retryable", "deadlock detected", { sqlstate: "40P01" });
    await expect(
      importChunkOnce(KEY, { ...steps, writeChunk: () => Promise.reject(retryable) }),
    ).rejects.toBe(retryable);
  });

  it("asks for a retry when it lost the race but sees no winner", async () => {
    const steps: ChunkProtocolSteps = {
      findLedgerRow: () => Promise.resolve(null),
      writeChunk: () => Promise.reject(new Error("ledger key taken")),
      isLedgerKeyViolation: () => true,
    };
    const outcome = await importChunkOnce(KEY, steps);
    expect(outcome.kind).toBe("retry");
  });

  it("refuses a ledger row that belongs to another chunk", async () => {
    const ledger = new MemoryLedger();
    const other = { ...KEY, minOrdinal: 41 };
    await importChunkOnce(other, stepsOver(ledger));
    const steps = { ...stepsOver(ledger), findLedgerRow: () => ledger.find(other) };
    await expect(importChunkOnce(KEY, steps)).rejects.toThrow(/returned the row of/);
  });

  it("runs a chunk that recorded nothing again on retry, still writing no ledger row", async () => {
    const ledger = new MemoryLedger();
    const steps: ChunkProtocolSteps = {
      findLedgerRow: (key) => ledger.find(key),
      writeChunk: (key) =>
        Promise.resolve(ledger.commit(key, chunkResultFromRecords({ ...key, records: [] }))),
      isLedgerKeyViolation: ledgerKeyViolationOn(TABLE),
    };
    expect((await importChunkOnce(KEY, steps)).kind).toBe("imported");
    expect((await importChunkOnce(KEY, steps)).kind).toBe("imported");
    expect(ledger.rows.size).toBe(0);
    expect(ledger.transactions).toBe(2);
  });

  it("recognises a ledger-key violation only on the ledger table and key", () => {
    const isViolation = ledgerKeyViolationOn(TABLE);
    const dup = (table: string, columns: readonly string[]) =>
      new DbError("duplicate", "duplicate key", { table, columns });
    expect(isViolation(dup(TABLE, CHUNK_LEDGER_KEY))).toBe(true);
    expect(isViolation(dup("sentry_regionimportchunk", CHUNK_LEDGER_KEY))).toBe(false);
    expect(isViolation(dup(TABLE, ["id"]))).toBe(false);
    expect(isViolation(new Error("duplicate key"))).toBe(false);
  });
});
