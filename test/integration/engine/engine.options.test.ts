/**
 * import-semantics.md §18.5 (options and relays: the overwritable config models of §9.6), and
 * the stored forms of option and user-option values (§8.3), on both adapters. The colliding rows
 * exist beforehand through a first import.
 */
import type { Db } from "../../../lib/ports.ts";
import { expect, it } from "vitest";
import {
  engineSuite,
  importRows,
  ledger,
  NOW,
  row,
  rowsOf,
  userRow,
} from "../../support/engine.ts";
import type { LedgerTable, RawRow } from "../../support/engine.ts";

function option(model: string, pk: number, key: string, value: unknown, lastUpdated = NOW) {
  return row(model, pk, { key, last_updated: lastUpdated, last_updated_by: "unknown", value });
}

interface OverwritableCase {
  readonly model: string;
  readonly table: string;
  readonly ledger: LedgerTable;
  readonly existing: RawRow;
  readonly incoming: RawRow;
  /** the column that shows whose values the row holds, and its existing/incoming values */
  readonly column: string;
  readonly before: string;
  readonly after: string;
}

const RELAY_ID = "541d8473-0a90-4a4e-b536-704f223521b0";

const CASES: readonly OverwritableCase[] = [
  {
    model: "sentry.option",
    table: "sentry_option",
    ledger: "sentry_regionimportchunk",
    existing: option("sentry.option", 1, "sentry:latest_version", "23.6.1"),
    incoming: option("sentry.option", 1, "sentry:latest_version", "24.1.0"),
    column: "value",
    before: '"23.6.1"',
    after: '"24.1.0"',
  },
  {
    model: "sentry.controloption",
    table: "sentry_controloption",
    ledger: "sentry_controlimportchunk",
    existing: option("sentry.controloption", 1, "bar", "b"),
    incoming: option("sentry.controloption", 1, "bar", "c"),
    column: "value",
    before: '"b"',
    after: '"c"',
  },
  {
    model: "sentry.relay",
    table: "sentry_relay",
    ledger: "sentry_regionimportchunk",
    existing: row("sentry.relay", 1, {
      relay_id: RELAY_ID,
      public_key: "old-key",
      first_seen: null,
      last_seen: null,
      is_internal: true,
    }),
    incoming: row("sentry.relay", 1, {
      relay_id: RELAY_ID,
      public_key: "new-key",
      first_seen: null,
      last_seen: null,
      is_internal: true,
    }),
    column: "public_key",
    before: "old-key",
    after: "new-key",
  },
  {
    model: "sentry.relayusage",
    table: "sentry_relayusage",
    ledger: "sentry_regionimportchunk",
    existing: row("sentry.relayusage", 1, {
      relay_id: RELAY_ID,
      version: "23.6.1",
      first_seen: "2023-06-22T23:07:12.275Z",
      last_seen: "2023-06-27T21:27:32.702Z",
      public_key: "old-key",
    }),
    incoming: row("sentry.relayusage", 1, {
      relay_id: RELAY_ID,
      version: "23.6.1",
      first_seen: "2023-06-22T23:07:12.275Z",
      last_seen: "2023-06-27T21:27:32.702Z",
      public_key: "new-key",
    }),
    column: "public_key",
    before: "old-key",
    after: "new-key",
  },
];

async function storedColumn(
  db: Db,
  table: string,
  column: string,
): Promise<{ id: string; value: string }[]> {
  return rowsOf<{ id: string; value: string }>(
    db,
    `SELECT id::text AS id, ${column}::text AS value FROM ${table} ORDER BY id::bigint`,
  );
}

engineSuite("§18.5 options and relays", (db) => {
  it.each(CASES)(
    "a colliding $model with overwrite_configs keeps one row and replaces its values: the ledger row has 1 overwrite entry, 0 inserted and 0 existing",
    async (c) => {
      await importRows(db(), [c.existing]);
      const [before] = await storedColumn(db(), c.table, c.column);
      expect(before?.value).toBe(c.before);
      const uuid = "00000000-0000-4000-8000-0000000000c1";

      await importRows(db(), [c.incoming], { overwriteConfigs: true, importUuid: uuid });

      expect(await storedColumn(db(), c.table, c.column)).toEqual([
        { id: before?.id, value: c.after },
      ]);
      const rows = (await ledger(db(), c.ledger)).filter((e) => e.importUuid === uuid);
      expect(rows).toEqual([
        expect.objectContaining({
          model: c.model,
          minOrdinal: 1,
          maxOrdinal: 1,
          inserted: {},
          existing: {},
          overwrite: { "1": Number(before?.id) },
          minInsertedPk: null,
        }),
      ]);
    },
  );

  it.each(CASES)(
    "a colliding $model without overwrite_configs keeps the existing values: the ledger row has 1 existing entry, 0 inserted and 0 overwrite",
    async (c) => {
      await importRows(db(), [c.existing]);
      const [before] = await storedColumn(db(), c.table, c.column);
      const uuid = "00000000-0000-4000-8000-0000000000c2";

      await importRows(db(), [c.incoming], { overwriteConfigs: false, importUuid: uuid });

      expect(await storedColumn(db(), c.table, c.column)).toEqual([before]);
      const rows = (await ledger(db(), c.ledger)).filter((e) => e.importUuid === uuid);
      expect(rows).toEqual([
        expect.objectContaining({
          model: c.model,
          minOrdinal: 1,
          maxOrdinal: 1,
          inserted: {},
          existing: { "1": Number(before?.id) },
          overwrite: {},
        }),
      ]);
    },
  );

  it("relay usages collide on relay_id and version together: another version of the same relay is inserted", async () => {
    const [c] = CASES.filter((x) => x.model === "sentry.relayusage");
    if (c === undefined) {
      throw new Error("no relayusage case");
    }
    await importRows(db(), [c.existing]);
    await importRows(db(), [
      row("sentry.relayusage", 1, { ...c.incoming.fields, version: "24.1.0" }),
    ]);
    const versions = await rowsOf<{ version: string }>(
      db(),
      "SELECT version FROM sentry_relayusage ORDER BY id::bigint",
    );
    expect(versions.map((v) => v.version)).toEqual(["23.6.1", "24.1.0"]);
  });

  it("option timestamps with and without milliseconds import successfully", async () => {
    await importRows(db(), [
      option("sentry.option", 1, "with-millis", "a", "2023-06-22T00:00:00.000Z"),
      option("sentry.option", 2, "without-millis", "b", "2023-06-22T00:00:00Z"),
      option("sentry.option", 3, "with-micros", "c", "2023-06-22T00:00:00.123456Z"),
      option("sentry.option", 4, "with-offset", "d", "2023-06-22T02:00:00+02:00"),
    ]);
    const stamps = await rowsOf<{ key: string; at: Date | string }>(
      db(),
      "SELECT key, last_updated AS at FROM sentry_option ORDER BY id::bigint",
    );
    expect(stamps.map((s) => [s.key, new Date(s.at).toISOString()])).toEqual([
      ["with-millis", "2023-06-22T00:00:00.000Z"],
      ["without-millis", "2023-06-22T00:00:00.000Z"],
      ["with-micros", "2023-06-22T00:00:00.123Z"],
      ["with-offset", "2023-06-22T00:00:00.000Z"],
    ]);
  });

  it("option values in the new (native JSON) and old (double-encoded) export formats import to the same stored value", async () => {
    const values: readonly [string, unknown, unknown, string][] = [
      ["version", "23.6.1", '"23.6.1"', '"23.6.1"'],
      ["ping", 1687902001.26, "1687902001.26", "1687902001.26"],
      ["flag", true, "true", "true"],
      ["list", ["a", "b"], '["a", "b"]', '["a","b"]'],
      ["object", { a: 1 }, '{"a": 1}', '{"a":1}'],
      ["nothing", null, "null", "null"],
    ];
    await importRows(
      db(),
      values.map(([key, current], i) => option("sentry.option", i + 1, `new:${key}`, current)),
    );
    await importRows(
      db(),
      values.map(([key, , legacy], i) => option("sentry.option", i + 1, `old:${key}`, legacy)),
    );
    const stored = new Map(
      (
        await rowsOf<{ key: string; value: string }>(db(), "SELECT key, value FROM sentry_option")
      ).map((r) => [r.key, r.value]),
    );
    for (const [key, , , expected] of values) {
      expect([key, stored.get(`new:${key}`), stored.get(`old:${key}`)]).toEqual([
        key,
        expected,
        expected,
      ]);
    }
  });

  it("a double-encoded user option value is decoded once, and other values are stored as given", async () => {
    const userOption = (pk: number, key: string, value: unknown) =>
      row("sentry.useroption", pk, {
        user: 1,
        project_id: null,
        organization_id: null,
        key,
        value,
      });
    await importRows(db(), [
      userRow(1, "opts"),
      userOption(1, "timezone", '"Europe/Vienna"'),
      userOption(2, "language", "de"),
      userOption(3, "stacktrace_order", "1"),
      userOption(4, "clock_24_hours", true),
      userOption(5, "self_notifications", "true"),
    ]);
    const stored = await rowsOf<{ key: string; text: string; json: string }>(
      db(),
      "SELECT key, value #>> '{}' AS text, value::text AS json FROM sentry_useroption ORDER BY id::bigint",
    );
    expect(stored.map((s) => [s.key, s.text, s.json])).toEqual([
      ["timezone", "Europe/Vienna", '"Europe/Vienna"'],
      ["language", "de", '"de"'],
      ["stacktrace_order", "1", '"1"'],
      ["clock_24_hours", "true", "true"],
      ["self_notifications", "true", '"true"'],
    ]);
  });

  it("repeated option keys within one run collide with the earlier row of the run", async () => {
    await importRows(db(), [
      option("sentry.option", 1, "dup", "first"),
      option("sentry.option", 2, "dup", "second"),
    ]);
    expect(await storedColumn(db(), "sentry_option", "value")).toEqual([
      expect.objectContaining({ value: '"first"' }),
    ]);
    const [entry] = (await ledger(db(), "sentry_regionimportchunk")).filter(
      (e) => e.model === "sentry.option",
    );
    expect(Object.keys(entry?.inserted ?? {})).toEqual(["1"]);
    expect(Object.keys(entry?.existing ?? {})).toEqual(["2"]);
  });
});
