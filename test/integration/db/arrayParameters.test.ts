/**
 * The writers' one-array-per-column parameters (lib/writer/sql.ts) store exactly what they were
 * given, on both adapters, however awkward the strings.
 */
import { describe, expect, it } from "vitest";
import { insertRecords } from "../../../lib/writer/sql.ts";
import { ADAPTER_KINDS, withTestDatabase } from "../../support/db.ts";

const AWKWARD = [
  "",
  "NULL",
  "null",
  " padded ",
  'quote " inside',
  "back\\slash",
  '\\"',
  "{braces}",
  "comma, separated",
  "line\nbreak\ttab",
  "é€ 😀",
];

describe.each(ADAPTER_KINDS)("array parameters on %s", (kind) => {
  const db = withTestDatabase(kind);

  it("store every kind of value, awkward strings included, as given", async () => {
    await db().query("CREATE EXTENSION IF NOT EXISTS citext");
    await db().query(
      `CREATE TABLE awkward (id bigint PRIMARY KEY, s text, v varchar(40), c citext, n bigint,
         b boolean, t timestamptz, j jsonb, a text[])`,
    );
    const records = AWKWARD.map((s, i) => ({
      id: i + 1,
      s,
      v: s,
      c: s,
      n: i % 2 === 0 ? null : 9_007_199_254_740_991 - i,
      b: i % 3 === 0 ? null : i % 3 === 1,
      t: i % 2 === 0 ? "2023-06-22T00:00:00.123456Z" : null,
      j: i % 2 === 0 ? { s, list: [s, null, 1] } : s,
      a: i % 2 === 0 ? [s, "x", ""] : null,
    }));
    await insertRecords(
      db(),
      "awkward",
      [
        { name: "id", pgType: "bigint", maxLength: null },
        { name: "s", pgType: "text", maxLength: null },
        { name: "v", pgType: "varchar", maxLength: 40 },
        { name: "c", pgType: "citext", maxLength: null },
        { name: "n", pgType: "bigint", maxLength: null },
        { name: "b", pgType: "boolean", maxLength: null },
        { name: "t", pgType: "timestamptz", maxLength: null },
        { name: "j", pgType: "jsonb", maxLength: null },
        { name: "a", pgType: "text[]", maxLength: null },
      ],
      records,
    );
    const { rows } = await db().query<Record<string, unknown>>(
      `SELECT id::int AS id, s, v, c::text AS c, n::text AS n, b,
         to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t, j, a
       FROM awkward ORDER BY id`,
    );
    expect(rows).toEqual(records.map((r) => ({ ...r, n: r.n === null ? null : String(r.n) })));
  });
});
