/**
 * One statement through node-postgres, shaped as the `Db` port's result. Shared by the pool and
 * by a transaction's client, so both classify errors and report row counts the same way.
 */
import type { Pool, PoolClient, QueryResult } from "pg";
import type { Db, DbRow } from "../../ports.ts";
import { toDbError } from "./errors.ts";

type Queryable = Pick<Pool, "query"> | Pick<PoolClient, "query">;

/**
 * Runs exactly one statement. Multi-statement text is refused: node-postgres would return an
 * array of results for it (simple protocol), while PGlite's extended protocol rejects it, and the
 * port promises the same behaviour on both.
 */
export async function runPgQuery<R extends DbRow>(
  target: Queryable,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<QueryResult<R>> {
  let result: QueryResult<R> | QueryResult<R>[];
  try {
    result = await target.query<R>(sql, params === undefined ? undefined : [...params]);
  } catch (thrown) {
    throw toDbError(thrown);
  }
  if (Array.isArray(result)) {
    throw new TypeError("Db.query runs one statement at a time; this text held several");
  }
  return result;
}

export function pgQueryable(target: Queryable): Db {
  return {
    // the port is generic in the row type: a caller's claim, checked by `one`/`many` with a schema
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
    async query<R extends DbRow = DbRow>(sql: string, params?: readonly unknown[]) {
      const result = await runPgQuery<R>(target, sql, params);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
  };
}
