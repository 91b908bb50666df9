/**
 * Set-based statements built from the registry. Values always travel as parameters: a chunk's
 * rows go in as one array per column and are expanded server-side with `unnest`, about twice
 * as fast on the server as one JSON parameter through `json_to_recordset` (which the writers
 * used first) for a user-sized row, and cheaper to build. `jsonb` and `text[]` columns travel
 * as JSON text, since an array of arrays cannot be unnested row by row. Identifiers come only
 * from the registry and are quoted here.
 */
import type { Db } from "../ports.ts";
import { sqlType } from "../registry/tables.ts";
import type { PgType } from "../registry/types.ts";
import { arrayLiteral } from "./arrayLiteral.ts";

/** Postgres identifier quoting (what `pg`'s `escapeIdentifier` does), kept SDK-free. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export interface ColumnValueSpec {
  readonly name: string;
  readonly pgType: PgType | "bigserial";
  readonly maxLength: number | null;
}

/** The array type a column's values travel in (see the module comment). */
function arrayType(column: ColumnValueSpec): string {
  // citext[] too: an extension's array type has no fixed OID, and PGlite cannot serialise it
  if (column.pgType === "jsonb" || column.pgType === "text[]" || column.pgType === "citext") {
    return "text[]";
  }
  return `${column.pgType === "bigserial" ? "bigint" : sqlType(column)}[]`;
}

/** How the unnested value `x.<column>` becomes the column's value. */
function columnValue(column: ColumnValueSpec): string {
  const value = `x.${quoteIdent(column.name)}`;
  if (column.pgType === "jsonb") {
    return `${value}::jsonb`;
  }
  if (column.pgType === "text[]") {
    return `CASE WHEN ${value} IS NULL THEN NULL ELSE ARRAY(SELECT json_array_elements_text(${value}::json)) END`;
  }
  return value;
}

/**
 * One parameter per column, as an array literal: the records' values, JSON text for `jsonb` and
 * `text[]`.
 */
function columnArrays(
  columns: readonly ColumnValueSpec[],
  records: readonly Readonly<Record<string, unknown>>[],
): string[] {
  return columns.map((column) => {
    const asJson = column.pgType === "jsonb" || column.pgType === "text[]";
    return arrayLiteral(
      records.map((record) => {
        const value = record[column.name];
        if (value === null || value === undefined) {
          return null;
        }
        return asJson ? JSON.stringify(value) : value;
      }),
    );
  });
}

/** `unnest($1::bigint[], $2::varchar(32)[], …) AS x("a", "b", …)`, a parameter per column. */
function unnestSource(columns: readonly ColumnValueSpec[]): string {
  const arrays = columns.map((c, i) => `$${String(i + 1)}::${arrayType(c)}`);
  const names = columns.map((c) => quoteIdent(c.name));
  return `unnest(${arrays.join(", ")}) AS x(${names.join(", ")})`;
}

/**
 * Takes `count` ids from the table's own sequence in one round trip. Knowing each row's id
 * before inserting maps old pks to new ones exactly (RETURNING promises no order), and the
 * sequence stays right because the ids came from it.
 */
export async function allocateIds(db: Db, table: string, count: number): Promise<number[]> {
  if (count === 0) {
    return [];
  }
  // the sequence is resolved once (a materialised CTE): `nextval(pg_get_serial_sequence(…))`
  // looked it up in the catalog again for every id, 2.7 µs against 0.3 µs a value
  const { rows } = await db.query<{ id: string | number }>(
    `WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq)
     SELECT nextval(s.seq) AS id FROM s, generate_series(1, $2::int)`,
    [quoteIdent(table), count],
  );
  return rows.map((row) => Number(row.id));
}

/** INSERTs records (column name → value) in one statement; every record has every column. */
export async function insertRecords(
  db: Db,
  table: string,
  columns: readonly ColumnValueSpec[],
  records: readonly Readonly<Record<string, unknown>>[],
): Promise<void> {
  if (records.length === 0) {
    return;
  }
  const names = columns.map((c) => quoteIdent(c.name)).join(", ");
  await db.query(
    `INSERT INTO ${quoteIdent(table)} (${names})
     SELECT ${columns.map(columnValue).join(", ")} FROM ${unnestSource(columns)}`,
    columnArrays(columns, records),
  );
}

/**
 * UPDATEs rows by id with the given records (each carries `id` and every listed column) in one
 * statement.
 */
export async function updateRecordsById(
  db: Db,
  table: string,
  columns: readonly ColumnValueSpec[],
  records: readonly Readonly<Record<string, unknown>>[],
): Promise<void> {
  if (records.length === 0 || columns.length === 0) {
    return;
  }
  const withId: ColumnValueSpec[] = [{ name: "id", pgType: "bigint", maxLength: null }, ...columns];
  const assignments = columns.map((c) => `${quoteIdent(c.name)} = ${columnValue(c)}`).join(", ");
  // `t.id = ANY(…)` ($1 is the ids) lets the planner find the rows through the primary key
  // whatever it guesses the unnest returns (it preferred a scan of small tables)
  await db.query(
    `UPDATE ${quoteIdent(table)} AS t SET ${assignments} FROM ${unnestSource(withId)}
     WHERE t.id = x.id AND t.id = ANY($1::bigint[])`,
    columnArrays(withId, records),
  );
}
