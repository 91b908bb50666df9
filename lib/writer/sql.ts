/**
 * Set-based statements built from the registry. Values always travel as parameters: a chunk's
 * rows go in as ONE JSON parameter and are expanded server-side with `json_to_recordset`, which
 * also handles `text[]` and `jsonb` columns. Identifiers come only from the registry and are
 * quoted here.
 */
import type { Db } from "../ports.ts";
import { sqlType } from "../registry/tables.ts";
import type { PgType } from "../registry/types.ts";

/** Postgres identifier quoting (what `pg`'s `escapeIdentifier` does), kept SDK-free. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export interface ColumnValueSpec {
  readonly name: string;
  readonly pgType: PgType | "bigserial";
  readonly maxLength: number | null;
}

/** `x("a" bigint, "b" varchar(32), …)`: the record definition for `json_to_recordset`. */
function recordDefinition(columns: readonly ColumnValueSpec[]): string {
  const defs = columns.map((c) => {
    const type = c.pgType === "bigserial" ? "bigint" : sqlType(c);
    return `${quoteIdent(c.name)} ${type}`;
  });
  return `x(${defs.join(", ")})`;
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
  const { rows } = await db.query<{ id: string | number }>(
    `SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2::int)`,
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
    `INSERT INTO ${quoteIdent(table)} (${names}) SELECT ${names} FROM json_to_recordset($1::json) AS ${recordDefinition(columns)}`,
    [JSON.stringify(records)],
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
  const assignments = columns
    .map((c) => `${quoteIdent(c.name)} = x.${quoteIdent(c.name)}`)
    .join(", ");
  // `t.id = ANY(…)` lets the planner find the rows through the primary key whatever it thinks
  // json_to_recordset returns (it guesses 100 rows, and preferred a scan of small tables)
  await db.query(
    `UPDATE ${quoteIdent(table)} AS t SET ${assignments} FROM json_to_recordset($1::json) AS ${recordDefinition(withId)} WHERE t.id = x.id AND t.id = ANY($2::bigint[])`,
    [JSON.stringify(records), records.map((r) => r["id"])],
  );
}
