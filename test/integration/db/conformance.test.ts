import { describe, expect, it } from "vitest";
import { z } from "zod";
import { many, maybeOne, one } from "../../../lib/adapters/pg/cardinality.ts";
import { QueryResultError } from "../../../lib/errors.ts";
import { ADAPTER_KINDS, withTestDatabase } from "../../support/db.ts";

const UUID = "6f1c2b7e-9a8d-4c3b-8e7f-0123456789ab";
const INSTANT = new Date("2024-01-02T03:04:05.678Z");

describe.each(ADAPTER_KINDS)("the same values on %s", (kind) => {
  const db = withTestDatabase(kind);

  it("reads every column type of the schema as the same JavaScript value", async () => {
    const row = await one(
      db(),
      `SELECT 5::int8 AS int8, 9007199254740993::int8 AS int8_beyond_2_53,
         ARRAY[1, 2]::int8[] AS int8_array, 7::int4 AS int4, 2::int2 AS int2,
         '{"a": [1, "x"], "b": null}'::jsonb AS jsonb, ARRAY['a', 'b,c']::text[] AS text_array,
         '{}'::text[] AS empty_array, $1::timestamptz AS timestamptz, 'MiXed'::citext AS citext,
         $2::uuid AS uuid, true AS bool, 1.50::numeric AS numeric, NULL::text AS nothing,
         'é€'::varchar(10) AS varchar`,
      [INSTANT, UUID],
    );

    expect(row).toEqual({
      int8: 5,
      int8_beyond_2_53: 9007199254740993n,
      int8_array: [1, 2],
      int4: 7,
      int2: 2,
      jsonb: { a: [1, "x"], b: null },
      text_array: ["a", "b,c"],
      empty_array: [],
      timestamptz: INSTANT,
      citext: "MiXed",
      uuid: UUID,
      bool: true,
      numeric: "1.50",
      nothing: null,
      varchar: "é€",
    });
  });

  it("accepts the same parameter values (JSON as text, arrays, bigint, Date)", async () => {
    const row = await one(
      db(),
      `SELECT $1::jsonb AS jsonb, $2::text[] AS text_array, $3::int8 AS big,
         $4::int8[] AS ids, $5::timestamptz AS at, $6::citext = 'mixed' AS ci_equal,
         $7::boolean AS flag, $8::text AS nothing`,
      [
        JSON.stringify({ k: [1, 2] }),
        ["x", "y z", 'q"uote'],
        9007199254740993n,
        [3, 4],
        INSTANT,
        "MIXED",
        false,
        null,
      ],
    );

    expect(row).toEqual({
      jsonb: { k: [1, 2] },
      text_array: ["x", "y z", 'q"uote'],
      big: 9007199254740993n,
      ids: [3, 4],
      at: INSTANT,
      ci_equal: true,
      flag: false,
      nothing: null,
    });
  });

  it("writes batches through unnest and returns the new ids", async () => {
    const names = ["unnest-a", "unnest-b", "unnest-c"];
    const rows = await many(
      db(),
      `INSERT INTO sentry_userrole (date_updated, date_added, name, permissions)
       SELECT now(), now(), t.name, '{}' FROM unnest($1::text[]) AS t(name)
       RETURNING id, name`,
      [names],
      z.object({ id: z.number().int().positive(), name: z.string() }),
    );

    expect(rows.map((row) => row.name).sort()).toEqual(names);
  });

  it("reports the affected row count of a write", async () => {
    const result = await db().query(
      "UPDATE sentry_userrole SET permissions = '{x}' WHERE name LIKE 'unnest-%'",
    );

    expect(result.rowCount).toBe(3);
  });

  it("matches citext emails case-insensitively and rejects a case variant as duplicate", async () => {
    await db().query("INSERT INTO sentry_email (email, date_added) VALUES ($1, now())", [
      "Person@Example.com",
    ]);

    await expect(
      db().query("INSERT INTO sentry_email (email, date_added) VALUES ($1, now())", [
        "person@example.COM",
      ]),
    ).rejects.toMatchObject({ classification: "duplicate", table: "sentry_email" });
    const found = await maybeOne(db(), "SELECT email FROM sentry_email WHERE email = $1", [
      "PERSON@EXAMPLE.COM",
    ]);
    expect(found).toEqual({ email: "Person@Example.com" });
  });
});

describe.each(ADAPTER_KINDS)("cardinality helpers on %s", (kind) => {
  const db = withTestDatabase(kind);
  const idRow = z.object({ id: z.number() });

  it("one returns the single row, parsed by its schema", async () => {
    await expect(one(db(), "SELECT 1::int8 AS id", [], idRow)).resolves.toEqual({ id: 1 });
  });

  it("one throws no_rows for none and too_many_rows for several", async () => {
    await expect(one(db(), "SELECT 1 WHERE false")).rejects.toMatchObject({ code: "no_rows" });
    await expect(one(db(), "SELECT * FROM generate_series(1, 2)")).rejects.toMatchObject({
      code: "too_many_rows",
      rowCount: 2,
    });
  });

  it("maybeOne returns null for none and throws for several", async () => {
    await expect(maybeOne(db(), "SELECT 1 WHERE false")).resolves.toBeNull();
    await expect(maybeOne(db(), "SELECT * FROM generate_series(1, 2)")).rejects.toBeInstanceOf(
      QueryResultError,
    );
  });

  it("many checks every row against the schema", async () => {
    await expect(many(db(), "SELECT 'not a number' AS id", [], idRow)).rejects.toMatchObject({
      code: "invalid_row",
    });
    await expect(many(db(), "SELECT 1 WHERE false", [], idRow)).resolves.toEqual([]);
  });
});
