import { describe, expect, it } from "vitest";
import { importUuid, ledgerTablesFor } from "../../../lib/ledger/key.ts";
import type { RecordedRow } from "../../../lib/ledger/result.ts";
import { chunkResultFromRecords, recordedCount } from "../../../lib/ledger/result.ts";
import { computeLedgerRow, IMPORT_CHUNK_COLUMNS } from "../../../lib/ledger/row.ts";
import type { ImportKind } from "../../../lib/pkmap.ts";
import { newPk, oldPk } from "../../../lib/pkmap.ts";
import { CONFIG_MODELS } from "../../../lib/registry/registry.ts";
import { CHUNK_TABLES } from "../../../lib/registry/tables.ts";
import { toModelName } from "../../../lib/registry/types.ts";

const IMPORT_UUID = importUuid("5f0c6a52-7d0e-4f6b-9a2e-3c1b8d4e6f70");
const USER = toModelName("sentry.user");
const OPTION = toModelName("sentry.option");

function rec(old: number, id: number, kind: ImportKind = "Inserted", slug: string | null = null) {
  return { oldPk: oldPk(old), newPk: newPk(id), kind, slug } satisfies RecordedRow;
}

function ledgerRow(records: readonly RecordedRow[], minOrdinal = 1, model = USER) {
  return computeLedgerRow({ importUuid: IMPORT_UUID, model, minOrdinal, records });
}

describe("the ledger row of a chunk", () => {
  it("takes min_source_pk from the first recorded row, not the minimum", () => {
    const row = ledgerRow([rec(130, 7), rec(101, 8), rec(125, 9)]);
    expect(row?.min_source_pk).toBe(130);
    expect(row?.max_source_pk).toBe(130);
  });

  it("takes max_source_pk as the maximum old pk among the recorded rows", () => {
    expect(ledgerRow([rec(101, 7), rec(140, 8), rec(120, 9)])?.max_source_pk).toBe(140);
  });

  it("takes min_inserted_pk from the first Inserted row and max_inserted_pk as the maximum", () => {
    const row = ledgerRow([
      rec(1, 50, "Existing"),
      rec(2, 31),
      rec(3, 30),
      rec(4, 60, "Overwrite"),
    ]);
    expect([row?.min_inserted_pk, row?.max_inserted_pk]).toEqual([31, 31]);
    const none = ledgerRow([rec(1, 50, "Existing")]);
    expect([none?.min_inserted_pk, none?.max_inserted_pk]).toEqual([null, null]);
  });

  it("maps old pks to new pks per kind, keyed by the old pk's decimal string", () => {
    const row = ledgerRow([rec(12, 5), rec(13, 2, "Existing"), rec(14, 3, "Overwrite")]);
    expect(row).toMatchObject({
      inserted_map: { "12": 5 },
      existing_map: { "13": 2 },
      overwrite_map: { "14": 3 },
      inserted_identifiers: {},
    });
  });

  it("lists slugs of Inserted rows only in inserted_identifiers", () => {
    const row = ledgerRow([rec(1, 1, "Inserted", "acme"), rec(2, 2, "Existing", "other")]);
    expect(row?.inserted_identifiers).toEqual({ "1": "acme" });
  });

  it("counts only recorded rows in max_ordinal: skipped rows consume no ordinal", () => {
    // the chunk at ordinal 21 covered 20 rows, of which 3 were recorded
    const row = ledgerRow([rec(121, 1), rec(125, 2), rec(133, 3)], 21);
    expect([row?.min_ordinal, row?.max_ordinal]).toEqual([21, 23]);
  });

  it("writes no ledger row for a chunk that recorded nothing", () => {
    expect(ledgerRow([], 41)).toBeNull();
    const result = chunkResultFromRecords({ model: USER, minOrdinal: 41, records: [] });
    expect(recordedCount(result)).toBe(0);
    expect(result).toMatchObject({ maxOrdinal: 40, minSourcePk: null, maxSourcePk: null });
  });

  it("records an overwritten option as ordinals 1..1 with 1 overwrite, 0 inserted and 0 existing", () => {
    // §18.5, overwrite_configs = true against an existing key
    const row = ledgerRow([rec(1, 17, "Overwrite")], 1, OPTION);
    expect(row).toEqual({
      import_uuid: IMPORT_UUID,
      model: "sentry.option",
      min_ordinal: 1,
      max_ordinal: 1,
      min_source_pk: 1,
      max_source_pk: 1,
      min_inserted_pk: null,
      max_inserted_pk: null,
      inserted_map: {},
      existing_map: {},
      overwrite_map: { "1": 17 },
      inserted_identifiers: {},
    });
  });

  it("records a merged user as an empty inserted_map and one existing_map entry", () => {
    // §18.2, merge_users against an existing username
    const row = ledgerRow([rec(1, 4, "Existing")]);
    expect(row).toMatchObject({ inserted_map: {}, existing_map: { "1": 4 } });
  });

  it("rejects a chunk at ordinal 0", () => {
    expect(() => ledgerRow([rec(1, 1)], 0)).toThrow();
  });
});

describe("the chunk tables", () => {
  it("records region models in sentry_regionimportchunk, without a replica", () => {
    expect(ledgerTablesFor("Region")).toEqual({
      primary: "sentry_regionimportchunk",
      replica: null,
    });
  });

  it("records control models in sentry_controlimportchunk and its replica", () => {
    expect(ledgerTablesFor("Control")).toEqual({
      primary: "sentry_controlimportchunk",
      replica: "sentry_controlimportchunkreplica",
    });
  });

  it("agrees with the registry's chunk table for each of the 13 models", () => {
    const fromSilo = CONFIG_MODELS.map((model) => [model.name, ledgerTablesFor(model.silo)]);
    const fromRegistry = CONFIG_MODELS.map((model) => [
      model.name,
      { primary: model.chunkTable, replica: model.replicaTable },
    ]);
    expect(fromSilo).toEqual(fromRegistry);
    const region = CONFIG_MODELS.filter((model) => model.silo === "Region").map((x) => x.name);
    expect(region).toEqual(["sentry.option", "sentry.relay", "sentry.relayusage"]);
  });

  it("writes every chunk-table column but id and the dates", () => {
    const columns = CHUNK_TABLES.sentry_controlimportchunk.columns.map((c) => c.name);
    expect(columns.filter((c) => !["id", "date_added", "date_updated"].includes(c))).toEqual([
      ...IMPORT_CHUNK_COLUMNS,
    ]);
  });
});
