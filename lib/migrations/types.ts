/**
 * The shape of a migration. A migration is an ordered list of single statements (the `Db` port
 * runs one statement per call, on both adapters), grouped into steps that say when they run:
 *
 * - `sql`: always; the statement must be idempotent on its own (`IF NOT EXISTS`).
 * - `createTable`: only when the table does not exist yet. The table, its constraints and its
 *   indexes are created together, and the table is recorded as ours. When it exists (a Sentry
 *   database), the whole step is skipped, so nothing is ever added to a table someone else made.
 * - `whenOwned`: only when every listed table was created by sentry-import. Foreign keys go
 *   here: a constraint also places triggers on the referenced table, which must not be Sentry's.
 *
 * To add a migration: write `NNNN_what.ts` exporting a `Migration` with the next id, and append
 * it to `MIGRATIONS` in `./index.ts`. Never edit one that has shipped: its checksum is recorded,
 * and `migrate` refuses a database whose applied migrations differ from the code's.
 */
export type MigrationStep =
  | { readonly kind: "sql"; readonly sql: string }
  | { readonly kind: "createTable"; readonly table: string; readonly statements: readonly string[] }
  | { readonly kind: "whenOwned"; readonly tables: readonly string[]; readonly sql: string };

export interface Migration {
  /** 1, 2, 3, …: the order of application. */
  readonly id: number;
  readonly name: string;
  readonly steps: readonly MigrationStep[];
}

export function sql(text: string): MigrationStep {
  return { kind: "sql", sql: text };
}

/** `table` as written in the statements (unqualified names resolve through `search_path`). */
export function createTable(table: string, ...statements: readonly string[]): MigrationStep {
  return { kind: "createTable", table, statements };
}

export function whenOwned(tables: readonly string[], text: string): MigrationStep {
  return { kind: "whenOwned", tables, sql: text };
}

/**
 * A deferred foreign key, as Django declares them (`DEFERRABLE INITIALLY DEFERRED`): a violation
 * surfaces at COMMIT, in our tables as in Sentry's.
 */
export function foreignKey(
  table: string,
  column: string,
  target: string,
  targetColumn = "id",
): MigrationStep {
  return whenOwned(
    [table, target],
    `ALTER TABLE ${table} ADD CONSTRAINT ${table}_${column}_fk FOREIGN KEY (${column}) ` +
      `REFERENCES ${target} (${targetColumn}) DEFERRABLE INITIALLY DEFERRED`,
  );
}
