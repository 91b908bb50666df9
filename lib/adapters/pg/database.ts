/**
 * The `Database` port over a node-postgres pool (server Postgres, e.g. Cloud SQL or the local
 * cluster). Every error leaving it is a classified `DbError`.
 */
import pg from "pg";
import type { Pool, PoolConfig } from "pg";
import type { DbError } from "../../errors.ts";
import type { Database } from "../../ports.ts";
import { toDbError } from "./errors.ts";
import { pgQueryable } from "./query.ts";
import { withPgTransaction } from "./transaction.ts";
import { pgTypes } from "./types.ts";

export interface PgDatabase extends Database {
  readonly kind: "postgres";
  /** For tests and diagnostics (pool counts); application code goes through the port. */
  readonly pool: Pool;
}

export interface PgDatabaseOptions extends Omit<PoolConfig, "types"> {
  /**
   * Called when an idle pooled connection fails (server restart, network cut). The pool has
   * already dropped that client; the next checkout opens a new connection. Default: ignore.
   */
  readonly onIdleError?: (error: DbError) => void;
}

/** `url` is a libpq-style connection string (`postgres://user@host:5432/db`). */
export function makePgDatabase(config: string | PgDatabaseOptions): PgDatabase {
  const { onIdleError, ...poolConfig }: PgDatabaseOptions =
    typeof config === "string" ? { connectionString: config } : config;
  // named, so the connections are recognisable in pg_stat_activity
  const pool = new pg.Pool({ application_name: "sentry-import", ...poolConfig, types: pgTypes });
  // Without a listener, an idle client's error is an unhandled 'error' event: a process crash.
  pool.on("error", (error) => {
    onIdleError?.(toDbError(error));
  });
  const queryable = pgQueryable(pool);
  return {
    kind: "postgres",
    pool,
    query: async (sql, params) => queryable.query(sql, params),
    withTransaction: async (fn) => withPgTransaction(pool, fn),
    // idempotent: test teardown and error paths may both close
    async close() {
      if (!pool.ended && !pool.ending) {
        await pool.end();
      }
    },
  };
}
