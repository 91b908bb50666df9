/**
 * Sentry's monolith behaviour (import-semantics.md §17): the whole write phase in ONE
 * transaction, so any failure leaves nothing of the import. The chunk importer still opens "its"
 * transaction per chunk; inside the outer one that becomes a savepoint, so a chunk that fails and
 * is retried rolls back only itself, and everything commits or vanishes together at the end.
 */
import type { Database } from "../ports.ts";

export async function withAtomicImport<T>(
  database: Database,
  fn: (inner: Database) => Promise<T>,
): Promise<T> {
  return database.withTransaction(async (tx) => {
    let savepoints = 0;
    const inner: Database = {
      kind: database.kind,
      query: (sql, params) => tx.query(sql, params),
      async withTransaction(chunk) {
        savepoints += 1;
        const name = `sentry_import_chunk_${String(savepoints)}`;
        await tx.query(`SAVEPOINT ${name}`);
        try {
          const result = await chunk(tx);
          await tx.query(`RELEASE SAVEPOINT ${name}`);
          return result;
        } catch (error) {
          await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
          throw error;
        }
      },
      // the outer transaction's owner closes the database
      close: () => Promise.resolve(),
    };
    return fn(inner);
  });
}
