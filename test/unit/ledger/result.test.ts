import { describe, expect, it } from "vitest";
import { importUuid } from "../../../lib/ledger/key.ts";
import type { RecordedRow } from "../../../lib/ledger/result.ts";
import { chunkResultFromRecords, chunkResultSchema, pkMapOf } from "../../../lib/ledger/result.ts";
import {
  chunkResultFromLedgerRow,
  ledgerRowOf,
  parseLedgerRow,
  pkMapFromLedgerRows,
} from "../../../lib/ledger/row.ts";
import type { DbImportChunk } from "../../../lib/ledger/row.ts";
import type { ImportKind } from "../../../lib/pkmap.ts";
import { newPk, oldPk } from "../../../lib/pkmap.ts";
import { toModelName } from "../../../lib/registry/types.ts";

const IMPORT_UUID = importUuid("5f0c6a527d0e4f6b9a2e3c1b8d4e6f70");
const USER = toModelName("sentry.user");
const EMAIL = toModelName("sentry.email");

function rec(old: number, id: number, kind: ImportKind = "Inserted", slug: string | null = null) {
  return { oldPk: oldPk(old), newPk: newPk(id), kind, slug } satisfies RecordedRow;
}

const RECORDS = [
  rec(130, 41, "Inserted", "first"),
  rec(101, 3, "Existing"),
  rec(125, 40),
  rec(9, 12, "Overwrite"),
];

function storedRow(): DbImportChunk {
  const row = ledgerRowOf(
    IMPORT_UUID,
    chunkResultFromRecords({ model: USER, minOrdinal: 21, records: RECORDS }),
  );
  if (row === null) {
    throw new Error("expected a ledger row");
  }
  return row;
}

/** The row as `pg` returns it: int8 as strings, jsonb parsed, plus id and dates. */
function asPgReturnsIt(row: DbImportChunk): Record<string, unknown> {
  return {
    id: "7",
    date_added: new Date(0),
    date_updated: new Date(0),
    ...Object.fromEntries(
      Object.entries(row).map(([column, value]) => [
        column,
        typeof value === "number" ? String(value) : value,
      ]),
    ),
  };
}

describe("rebuilding a chunk result from its ledger row", () => {
  it("round-trips: the rebuilt result equals the result computed while writing", () => {
    const live = chunkResultFromRecords({ model: USER, minOrdinal: 21, records: RECORDS });
    const rebuilt = chunkResultFromLedgerRow(parseLedgerRow(asPgReturnsIt(storedRow())));
    expect(rebuilt).toEqual(live);
    expect(rebuilt).toMatchObject({
      minOrdinal: 21,
      maxOrdinal: 24,
      minSourcePk: 130,
      maxSourcePk: 130,
      minInsertedPk: 41,
      maxInsertedPk: 41,
    });
  });

  it("turns the three maps into entries with kinds, integer old pks and slugs", () => {
    const rebuilt = chunkResultFromLedgerRow(storedRow());
    expect(rebuilt.mappedPks).toEqual([
      { oldPk: 9, newPk: 12, kind: "Overwrite", slug: null },
      { oldPk: 101, newPk: 3, kind: "Existing", slug: null },
      { oldPk: 125, newPk: 40, kind: "Inserted", slug: null },
      { oldPk: 130, newPk: 41, kind: "Inserted", slug: "first" },
    ]);
  });

  it("round-trips through the stored row: row → result → row", () => {
    const row = storedRow();
    expect(ledgerRowOf(IMPORT_UUID, chunkResultFromLedgerRow(row))).toEqual(row);
  });

  it("reads jsonb delivered as text and a dashless import uuid", () => {
    const row = storedRow();
    const raw = {
      ...row,
      import_uuid: row.import_uuid.replaceAll("-", "").toUpperCase(),
      inserted_map: JSON.stringify(row.inserted_map),
      inserted_identifiers: JSON.stringify(row.inserted_identifiers),
      min_source_pk: BigInt(row.min_source_pk),
    };
    expect(parseLedgerRow(raw)).toEqual(row);
  });

  it("rejects rows that are not ledger rows", () => {
    const row = storedRow();
    expect(() => parseLedgerRow({ ...row, inserted_map: { abc: 1 } })).toThrow();
    expect(() => parseLedgerRow({ ...row, min_ordinal: 0 })).toThrow();
    expect(() => parseLedgerRow({ ...row, max_ordinal: 20 })).toThrow(/at least one row/);
    expect(() => parseLedgerRow({ ...row, max_source_pk: "9007199254740993" })).toThrow();
    expect(() => parseLedgerRow({ ...row, import_uuid: "not-a-uuid" })).toThrow();
    expect(() => parseLedgerRow({ ...row, existing_map: "{not json" })).toThrow();
    expect(() => parseLedgerRow({ ...row, model: undefined })).toThrow();
  });

  it("rebuilds the pk map of earlier runs from their ledger rows (serverless path)", () => {
    const emails = ledgerRowOf(
      IMPORT_UUID,
      chunkResultFromRecords({ model: EMAIL, minOrdinal: 1, records: [rec(34, 2)] }),
    );
    const map = pkMapFromLedgerRows([storedRow(), ...(emails === null ? [] : [emails])]);
    expect(map.getPk(USER, oldPk(125))).toBe(40);
    expect(map.getKind(USER, oldPk(101))).toBe("Existing");
    expect(map.getSlug(USER, oldPk(130))).toBe("first");
    expect(map.getPk(EMAIL, oldPk(34))).toBe(2);
    expect(map.size).toBe(5);
  });
});

describe("chunk results on the wire", () => {
  it("survive JSON and the schema unchanged", () => {
    const result = chunkResultFromRecords({ model: USER, minOrdinal: 21, records: RECORDS });
    expect(chunkResultSchema.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
    const empty = chunkResultFromRecords({ model: USER, minOrdinal: 41, records: [] });
    expect(chunkResultSchema.parse(JSON.parse(JSON.stringify(empty)))).toEqual(empty);
  });

  it("give the same pk map whether computed live or rebuilt", () => {
    const live = chunkResultFromRecords({ model: USER, minOrdinal: 21, records: RECORDS });
    expect(pkMapOf([live]).toWire()).toEqual(pkMapFromLedgerRows([storedRow()]).toWire());
  });

  it("keep one entry per old pk, the later recording winning", () => {
    const result = chunkResultFromRecords({
      model: USER,
      minOrdinal: 1,
      records: [rec(5, 1), rec(5, 2, "Existing")],
    });
    expect(result.mappedPks).toEqual([{ oldPk: 5, newPk: 2, kind: "Existing", slug: null }]);
    expect(result.maxOrdinal).toBe(2);
  });
});
