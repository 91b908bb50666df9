/**
 * Cardinality in the function name (slonik's `one`, `maybeOne`, `many`): the caller states how
 * many rows a statement must return, and a different count is an error instead of a silent
 * `rows[0]`. With a zod schema, each row is also checked at run time and typed by the schema.
 *
 * These use only the `Db` port, so they work on both adapters and inside transactions.
 */
import type { z } from "zod";
import { QueryResultError } from "../../errors.ts";
import type { Db, DbRow } from "../../ports.ts";

type RowSchema = z.ZodType;

/**
 * Exactly one row.
 * @throws {QueryResultError} `no_rows`, `too_many_rows`, or `invalid_row` (schema mismatch)
 */
export async function one<S extends RowSchema>(
  db: Db,
  sql: string,
  params: readonly unknown[],
  schema: S,
): Promise<z.output<S>>;
export async function one(db: Db, sql: string, params?: readonly unknown[]): Promise<DbRow>;
export async function one(
  db: Db,
  sql: string,
  params: readonly unknown[] = [],
  schema?: RowSchema,
): Promise<unknown> {
  const rows = await fetch(db, sql, params, schema);
  const [row] = rows;
  if (row === undefined) {
    throw new QueryResultError("no_rows", "expected one row, got none", { sql, rowCount: 0 });
  }
  if (rows.length > 1) {
    throw tooMany(sql, rows.length);
  }
  return row;
}

/**
 * At most one row; null when there is none.
 * @throws {QueryResultError} `too_many_rows` or `invalid_row`
 */
export async function maybeOne<S extends RowSchema>(
  db: Db,
  sql: string,
  params: readonly unknown[],
  schema: S,
): Promise<z.output<S> | null>;
export async function maybeOne(
  db: Db,
  sql: string,
  params?: readonly unknown[],
): Promise<DbRow | null>;
export async function maybeOne(
  db: Db,
  sql: string,
  params: readonly unknown[] = [],
  schema?: RowSchema,
): Promise<unknown> {
  const rows = await fetch(db, sql, params, schema);
  if (rows.length > 1) {
    throw tooMany(sql, rows.length);
  }
  return rows[0] ?? null;
}

/**
 * Any number of rows, including none.
 * @throws {QueryResultError} `invalid_row`
 */
export async function many<S extends RowSchema>(
  db: Db,
  sql: string,
  params: readonly unknown[],
  schema: S,
): Promise<z.output<S>[]>;
export async function many(db: Db, sql: string, params?: readonly unknown[]): Promise<DbRow[]>;
export async function many(
  db: Db,
  sql: string,
  params: readonly unknown[] = [],
  schema?: RowSchema,
): Promise<unknown[]> {
  return fetch(db, sql, params, schema);
}

async function fetch(
  db: Db,
  sql: string,
  params: readonly unknown[],
  schema: RowSchema | undefined,
): Promise<unknown[]> {
  const { rows } = await db.query(sql, params);
  if (schema === undefined) {
    return rows;
  }
  return rows.map((row, index) => {
    const parsed = schema.safeParse(row);
    if (!parsed.success) {
      throw new QueryResultError("invalid_row", `row ${index + 1} does not match its schema`, {
        sql,
        rowCount: rows.length,
        cause: parsed.error,
        context: { issues: parsed.error.issues },
      });
    }
    return parsed.data;
  });
}

function tooMany(sql: string, rowCount: number): QueryResultError {
  return new QueryResultError("too_many_rows", `expected at most one row, got ${rowCount}`, {
    sql,
    rowCount,
  });
}
