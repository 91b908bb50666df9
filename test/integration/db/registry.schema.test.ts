import { describe, expect, it } from "vitest";
import { z } from "zod";
import { many } from "../../../lib/adapters/pg/cardinality.ts";
import {
  CHUNK_TABLES,
  CONFIG_MODELS,
  LOST_PASSWORD_HASH_TABLE,
  modelTable,
} from "../../../lib/registry/index.ts";
import type { ColumnSpec, TableSpec } from "../../../lib/registry/index.ts";
import { ADAPTER_KINDS, withTestDatabase } from "../../support/db.ts";

/** Every table the registry names: the 13 model tables and the side-effect and chunk tables. */
const TABLES: readonly TableSpec[] = [
  ...CONFIG_MODELS.map(modelTable),
  LOST_PASSWORD_HASH_TABLE,
  ...Object.values(CHUNK_TABLES),
];

/** The registry's type as Postgres's `format_type` spells it. */
function catalogType(column: ColumnSpec): string {
  switch (column.pgType) {
    case "bigserial":
      return "bigint";
    case "varchar":
      return column.maxLength === null
        ? "character varying"
        : `character varying(${column.maxLength})`;
    case "timestamptz":
      return "timestamp with time zone";
    case "bigint":
    case "smallint":
    case "boolean":
    case "citext":
    case "text":
    case "jsonb":
    case "text[]":
    case "uuid":
      return column.pgType;
  }
}

const columnRow = z.object({ name: z.string(), type: z.string(), nullable: z.boolean() });
type DbColumn = z.output<typeof columnRow>;

describe.each(ADAPTER_KINDS)("the migrated schema on %s matches the registry", (kind) => {
  const db = withTestDatabase(kind);

  async function columnsOf(table: string): Promise<DbColumn[]> {
    return many(
      db(),
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
         NOT a.attnotnull AS nullable
       FROM pg_attribute a
       WHERE a.attrelid = to_regclass($1::text) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum`,
      [table],
      columnRow,
    );
  }

  async function uniqueKeysOf(table: string): Promise<string[]> {
    const { rows } = await db().query<{ columns: string[] }>(
      `SELECT array_agg(a.attname::text ORDER BY a.attname) AS columns
       FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = to_regclass($1::text) AND i.indisunique AND i.indpred IS NULL
       GROUP BY i.indexrelid`,
      [table],
    );
    return rows.map((row) => row.columns.join(","));
  }

  it.each(TABLES.map((table) => [table.name, table] as const))(
    "%s has every registry column, with its type and nullability, and no other",
    async (_, table) => {
      const actual = await columnsOf(table.name);
      const expected = table.columns.map((column) => ({
        name: column.name,
        type: catalogType(column),
        nullable: column.nullable,
      }));

      expect([...actual].sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        [...expected].sort((a, b) => a.name.localeCompare(b.name)),
      );
    },
  );

  it.each(TABLES.map((table) => [table.name, table] as const))(
    "%s enforces the registry's unique sets",
    async (_, table) => {
      const keys = await uniqueKeysOf(table.name);

      for (const unique of table.uniques) {
        expect(keys).toContain([...unique].sort().join(","));
      }
    },
  );
});
