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
import { mkdir, open, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Transaction } from "@electric-sql/pglite";
import { citext } from "@electric-sql/pglite/contrib/citext";
import { UsageError } from "../errors.ts";
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
  const unlock = options.dataDir === undefined ? undefined : await lockDataDir(options.dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      extensions: { citext },
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    });
  } catch (thrown) {
    await unlock?.();
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
    // idempotent: test teardown and error paths may both close
    async close() {
      await queue.run(async () => {
        if (!pglite.closed) {
          await pglite.close();
          await unlock?.();
        }
      });
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

const LOCK_FILE = "sentry-import.lock";

/**
 * PGlite takes no lock on its directory: a second process (or a second instance in this one)
 * would run another Postgres over the same files and corrupt them. A lock file holding the owner's
 * pid refuses that; one left by a process that no longer exists (a crash) is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => unlink(path).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw error;
      }
    }
    const owner = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    if (Number.isInteger(owner) && isRunning(owner)) {
      throw new UsageError(
        `the database in ${dataDir} is in use by process ${owner}` +
          (owner === process.pid ? " (this one)" : "") +
          `; wait for it to finish, or remove ${path} if no such process is running`,
      );
    }
    await unlink(path).catch(() => undefined);
  }
  throw new UsageError(`could not lock the database in ${dataDir} (${path})`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
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
