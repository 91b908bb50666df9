/**
 * A transaction on one checked-out client (node-postgres's transaction guide): BEGIN, the
 * callback, COMMIT; ROLLBACK on any error. A client whose connection broke is destroyed on
 * release (`release(err)`) instead of going back to the pool, where the next caller would get it.
 */
import type { Pool, PoolClient } from "pg";
import { coerceError, DbError } from "../../errors.ts";
import type { Db } from "../../ports.ts";
import { toDbError } from "./errors.ts";
import { pgQueryable, runPgQuery } from "./query.ts";

export async function withPgTransaction<T>(pool: Pool, fn: (tx: Db) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (thrown) {
    throw toDbError(thrown);
  }
  // While checked out, pg-pool removes its own idle listener: a connection that dies between two
  // statements (pg_terminate_backend, a network cut) would emit an unhandled 'error' and crash
  // the process. Recording it is enough: the next statement fails and the client is evicted.
  let broken: Error | undefined;
  const onClientError = (error: Error): void => {
    broken ??= error;
  };
  client.on("error", onClientError);
  try {
    await runPgQuery(client, "BEGIN", undefined);
    const value = await fn(pgQueryable(client));
    const commit = await runPgQuery(client, "COMMIT", undefined);
    // COMMIT of a transaction that already failed (the callback swallowed an error) does not
    // fail: Postgres rolls back and answers ROLLBACK. Silently losing the writes is not an option.
    if (commit.command === "ROLLBACK") {
      throw new DbError("other", "the transaction had failed and was rolled back at COMMIT", {
        sqlstate: "25P02",
      });
    }
    return value;
  } catch (thrown) {
    try {
      await client.query("ROLLBACK");
    } catch (rollbackError) {
      broken ??= coerceError(rollbackError);
    }
    throw thrown;
  } finally {
    client.off("error", onClientError);
    client.release(broken);
  }
}
