/**
 * The `Database` port over PGlite (Postgres compiled to WASM, in process): the CLI's default
 * database and a fast test database. It runs the same SQL as server Postgres; citext, which
 * `sentry_email.email` needs, ships as a PGlite contrib extension and is loaded here.
 *
 * PGlite is one connection. Transactions are therefore serialised by a queue: a second
 * `withTransaction` waits for the first to finish instead of interleaving its statements into
 * the first one's transaction. A statement on the outer handle while a transaction is open waits
 * the same way, so it never runs inside someone else's transaction.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import type { Transaction } from "@electric-sql/pglite";
import { citext } from "@electric-sql/pglite/contrib/citext";
import type { Database, Db, DbRow } from "../ports.ts";
import { toDbError } from "./pg/errors.ts";

export interface PgliteDatabaseOptions {
  /** A directory for the database files (created if missing); in memory when absent. */
  readonly dataDir?: string;
}

export interface PgliteDatabase extends Database {
  readonly kind: "pglite";
}

export async function makePgliteDatabase(
  options: PgliteDatabaseOptions = {},
): Promise<PgliteDatabase> {
  if (options.dataDir !== undefined) {
    await mkdir(options.dataDir, { recursive: true });
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      extensions: { citext },
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    });
  } catch (thrown) {
    throw toDbError(thrown);
  }
  const queue = makeQueue();
  // Marks the async context of a running transaction, to fail fast on the one misuse the queue
  // cannot serve: awaiting the outer handle from inside the callback would wait for itself.
  const insideTransaction = new AsyncLocalStorage<true>();

  function assertNotInsideTransaction(): void {
    if (insideTransaction.getStore() === true) {
      throw new Error(
        "PGlite has one connection: inside withTransaction, use the transaction's handle (it " +
          "would otherwise wait for its own transaction to end)",
      );
    }
  }

  return {
    kind: "pglite",
    async query(sql, params) {
      assertNotInsideTransaction();
      return queue.run(async () => runQuery(pglite, sql, params));
    },
    async withTransaction(fn) {
      assertNotInsideTransaction();
      return queue.run(async () => {
        // what the callback threw passes through as it is; anything else came from the driver
        // (BEGIN, COMMIT, ROLLBACK) and is classified
        let fromCallback: { readonly error: unknown } | undefined;
        try {
          // PGlite's own `transaction` issues BEGIN/COMMIT, rolls back when the callback throws,
          // and reports a COMMIT that the server turned into a ROLLBACK as an error (25P02).
          return await pglite.transaction(async (tx) =>
            insideTransaction.run(true, async () => {
              try {
                return await fn(transactionDb(tx));
              } catch (error) {
                fromCallback = { error };
                throw error;
              }
            }),
          );
        } catch (thrown) {
          throw fromCallback?.error === thrown ? thrown : toDbError(thrown);
        }
      });
    },
    async close() {
      await queue.run(async () => pglite.close());
    },
  };
}

type Queryable = Pick<PGlite, "query"> | Pick<Transaction, "query">;

// the port is generic in the row type: a caller's claim, checked by `one`/`many` with a schema
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
async function runQuery<R extends DbRow>(
  target: Queryable,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<{ rows: R[]; rowCount: number }> {
  try {
    const result = await target.query<R>(sql, params === undefined ? undefined : [...params]);
    return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? 0 };
  } catch (thrown) {
    throw toDbError(thrown);
  }
}

function transactionDb(tx: Transaction): Db {
  return { query: async (sql, params) => runQuery(tx, sql, params) };
}

/** A FIFO of async jobs, one at a time. A job's failure does not stop the ones after it. */
function makeQueue(): { run<T>(job: () => Promise<T>): Promise<T> } {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    async run<T>(job: () => Promise<T>): Promise<T> {
      const result = tail.then(job, job);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
