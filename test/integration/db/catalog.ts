/**
 * A textual snapshot of the catalog (tables, columns, constraints, indexes, triggers, sequences,
 * extensions), to prove that running the migrations changed nothing, on both adapters.
 */
import type { Db } from "../../../lib/ports.ts";

/** One line per object, sorted; `tables` limits it to those tables and what hangs off them. */
export async function catalogSnapshot(
  db: Db,
  options: { readonly schemas: readonly string[]; readonly tables?: readonly string[] },
): Promise<string[]> {
  const params = [options.schemas, options.tables ?? null];
  const relations = `
    SELECT c.oid, c.relname, c.relkind, n.nspname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'S')
      AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))`;
  const queries = [
    `SELECT format('relation %s.%s kind=%s', nspname, relname, relkind) AS line FROM (${relations}) r`,
    `SELECT format('column %s.%s.%s %s notnull=%s default=%s', r.nspname, r.relname, a.attname,
        format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)) AS line
     FROM (${relations}) r
     JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum`,
    `SELECT format('constraint %s.%s %s %s', r.relname, con.conname, con.contype,
        pg_get_constraintdef(con.oid)) AS line
     FROM (${relations}) r JOIN pg_constraint con ON con.conrelid = r.oid`,
    `SELECT format('index %s %s', r.relname, pg_get_indexdef(i.indexrelid)) AS line
     FROM (${relations}) r JOIN pg_index i ON i.indrelid = r.oid`,
    `SELECT format('trigger %s.%s %s', r.relname, t.tgname, t.tgfoid::regproc) AS line
     FROM (${relations}) r JOIN pg_trigger t ON t.tgrelid = r.oid`,
    `SELECT format('extension %s %s', extname, extversion) AS line FROM pg_extension`,
  ];
  const lines: string[] = [];
  for (const sql of queries) {
    const { rows } = await db.query<{ line: string }>(sql, sql.includes("$1") ? params : []);
    lines.push(...rows.map((row) => row.line));
  }
  // trigger names of foreign keys embed oids: keep only what they are attached to and do
  return lines.map((line) => line.replace(/RI_ConstraintTrigger_[ac]_\d+/gu, "RI_trigger")).sort();
}

/** `public`-schema tables that exist. */
export async function tablesIn(db: Db, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY tablename",
    [schema],
  );
  return rows.map((row) => row.name);
}
