/**
 * A Database whose transactions fail now and then, from a seed: a statement throws a retryable
 * DbError, as when a chunk function's connection dies mid-transaction. Postgres rolls the
 * transaction back and the task is redelivered, which is what the tests then check.
 */
import { DbError } from "../../lib/errors.ts";
import type { Database, Db } from "../../lib/ports.ts";
import { seededRandom } from "./memoryPorts.ts";

export function withInjectedFaults(
  database: Database,
  seed: number,
  probability: number,
): Database {
  const random = seededRandom(seed);
  const faulty = (tx: Db): Db => ({
    query(sql, params) {
      if (random() < probability) {
        return Promise.reject(
          new DbError("retryable", "injected fault: the connection was terminated", {
            sqlstate: "57P01",
          }),
        );
      }
      return tx.query(sql, params);
    },
  });
  return {
    kind: database.kind,
    query: (sql, params) => database.query(sql, params),
    withTransaction: (fn) => database.withTransaction((tx) => fn(faulty(tx))),
    close: () => database.close(),
  };
}
