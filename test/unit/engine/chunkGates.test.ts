import { describe, expect, it } from "vitest";
import { ReferenceBounds } from "../../../lib/engine/chunkGates.ts";
import { NaturalKey } from "../../../lib/export/row.ts";
import type { FieldValue } from "../../../lib/export/row.ts";
import type { ImportUuid } from "../../../lib/ledger/key.ts";
import { planWithRegistry } from "../../../lib/planner/registryPlan.ts";
import { detectRuns } from "../../../lib/planner/runs.ts";
import { EMAIL, OPTION, USER, USER_EMAIL, USER_OPTION } from "../../../lib/registry/names.ts";
import { getModel } from "../../../lib/registry/registry.ts";
import type { ModelName, ModelSpec } from "../../../lib/registry/types.ts";

const UUID = "0b1a5c8e-2f4d-4a6b-9c3e-7d8f9a0b1c2d" as ImportUuid;
const CHUNK_SIZE = 2;

interface Row {
  readonly model: ModelName;
  readonly pk: number;
  readonly values?: Record<string, FieldValue>;
}

function spec(model: ModelName): ModelSpec {
  const found = getModel(model);
  if (found === undefined) {
    throw new Error(`no model ${model}`);
  }
  return found;
}

/** The gates of a file of `rows` (in file order), cut into chunks of two rows. */
function gatesOf(rows: readonly Row[]): ReadonlyMap<ModelName, readonly (readonly unknown[])[]> {
  const bounds = new ReferenceBounds(CHUNK_SIZE);
  const ordinals = new Map<ModelName, number>();
  for (const row of rows) {
    const ordinal = (ordinals.get(row.model) ?? 0) + 1;
    ordinals.set(row.model, ordinal);
    bounds.add(spec(row.model), ordinal, row.pk, row.values ?? {});
  }
  const plan = planWithRegistry({
    importUuid: UUID,
    scope: "Config",
    chunkSize: CHUNK_SIZE,
    runs: detectRuns(rows.map((row) => row.model)),
  });
  return bounds.gates(plan);
}

const users = (pks: readonly number[]): Row[] => pks.map((pk) => ({ model: USER, pk }));
const option = (pk: number, user: FieldValue): Row => ({
  model: USER_OPTION,
  pk,
  values: { user },
});

describe("chunk gates", () => {
  it("a chunk referencing users waits for the user chunks holding those pks, no more", () => {
    const gates = gatesOf([
      ...users([10, 11, 20, 21, 30]),
      option(1, 10),
      option(2, 11),
      option(3, 20),
      option(4, null),
      option(5, 30),
      option(6, 11),
    ]);
    expect(gates.get(USER)).toEqual([[], [], []]);
    expect(gates.get(USER_OPTION)).toEqual([
      [{ model: USER, chunks: 1 }],
      [{ model: USER, chunks: 2 }],
      [{ model: USER, chunks: 3 }],
    ]);
  });

  it("a chunk whose references are all null waits for nothing", () => {
    const gates = gatesOf([...users([1, 2]), option(1, null), option(2, null)]);
    expect(gates.get(USER_OPTION)).toEqual([[]]);
  });

  it("a pk the user run does not hold waits for the chunk it would be in", () => {
    const gates = gatesOf([...users([10, 20, 30]), option(1, 15), option(2, 5)]);
    expect(gates.get(USER_OPTION)).toEqual([[{ model: USER, chunks: 1 }]]);
  });

  it("waits for the whole user run when its pks do not ascend", () => {
    const gates = gatesOf([...users([10, 30, 20, 40, 50]), option(1, 10)]);
    expect(gates.get(USER_OPTION)).toEqual([[{ model: USER, chunks: 3 }]]);
  });

  it("waits for the whole user run when a reference is a natural key", () => {
    const gates = gatesOf([
      ...users([1, 2, 3, 4, 5]),
      option(1, 1),
      option(2, new NaturalKey(["someone"])),
      option(3, 1),
    ]);
    expect(gates.get(USER_OPTION)).toEqual([
      [{ model: USER, chunks: 3 }],
      [{ model: USER, chunks: 3 }],
    ]);
  });

  it("relations that are not FKs wait for the whole earlier run", () => {
    const gates = gatesOf([
      ...users([1, 2, 3]),
      { model: EMAIL, pk: 1, values: { email: "a@example.com" } },
      { model: USER_EMAIL, pk: 1, values: { user: 1, email: "a@example.com" } },
    ]);
    expect(gates.get(EMAIL)).toEqual([[{ model: USER, chunks: 2 }]]);
    expect(gates.get(USER_EMAIL)).toEqual([
      [
        { model: USER, chunks: 1 },
        { model: EMAIL, chunks: 1 },
      ],
    ]);
  });

  it("a chunk waits for more of a run when told to, up to the whole run", () => {
    const bounds = new ReferenceBounds(CHUNK_SIZE);
    const rows: Row[] = [...users([1, 2, 3, 4, 5]), option(1, 1), option(2, 1), option(3, 1)];
    const ordinals = new Map<ModelName, number>();
    for (const row of rows) {
      const ordinal = (ordinals.get(row.model) ?? 0) + 1;
      ordinals.set(row.model, ordinal);
      bounds.add(spec(row.model), ordinal, row.pk, row.values ?? {});
    }
    // option 2 (in the first chunk) needs two user chunks, option 3 (the second) all of them
    bounds.require(USER_OPTION, 2, USER, 2);
    bounds.require(USER_OPTION, 3, USER, Infinity);
    const plan = planWithRegistry({
      importUuid: UUID,
      scope: "Config",
      chunkSize: CHUNK_SIZE,
      runs: detectRuns(rows.map((row) => row.model)),
    });
    expect(bounds.gates(plan).get(USER_OPTION)).toEqual([
      [{ model: USER, chunks: 2 }],
      [{ model: USER, chunks: 3 }],
    ]);
  });

  it("unrelated runs wait for nothing, and no run waits for a later one", () => {
    const gates = gatesOf([
      option(1, 1),
      { model: OPTION, pk: 1, values: { key: "a" } },
      ...users([1, 2]),
    ]);
    expect(gates.get(USER_OPTION)).toEqual([[]]);
    expect(gates.get(OPTION)).toEqual([[]]);
    // the user run is related to the earlier user options: it waits for all of them
    expect(gates.get(USER)).toEqual([[{ model: USER_OPTION, chunks: 1 }]]);
  });
});
