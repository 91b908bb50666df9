/**
 * A Database whose transactions fail now and then, from a seed: a statement throws a retryable
 * DbError, as when a chunk function's connection dies in the middle of its transaction. Postgres
 * rolls the transaction back and the task is redelivered: what `emulate --chaos` and the chaos
 * tests exercise.
 */
import { DbError } from "../errors.ts";
import type { Database, Db } from "../ports.ts";

/** mulberry32: small, fast and reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
