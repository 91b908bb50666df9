/**
 * The write limit the importer is compared with: the export's rows of the 13 Config models,
 * converted to their tables' columns (ids and FKs as in the file), loaded with `COPY … FROM
 * STDIN` through `psql \copy`, all tables in one transaction. Converting to CSV is not timed;
 * only the psql run is.
 */
import { spawn } from "node:child_process";
import { createWriteStream, writeFileSync } from "node:fs";
import type { WriteStream } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { readExportRows } from "../lib/export/envelope.ts";
import { parseRow } from "../lib/export/rowParser.ts";
import type { ResolvedRow, ResolvedValue } from "../lib/export/row.ts";
import { fileSource } from "../lib/format/index.ts";
import { API_TOKEN } from "../lib/registry/names.ts";
import { getModel } from "../lib/registry/registry.ts";
import type { ModelSpec } from "../lib/registry/types.ts";
import { mintTokenSecret, sha256Hex } from "../lib/secrets.ts";
import { columnRecord, completeValues, modelColumns, textOf } from "../lib/writer/records.ts";
import type { ColumnValueSpec } from "../lib/writer/sql.ts";

export interface CopyTable {
  readonly table: string;
  readonly columns: readonly ColumnValueSpec[];
  readonly path: string;
  rows: number;
}

function csvQuote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function arrayLiteral(items: readonly unknown[]): string {
  const quoted = items.map(
    (item) => `"${String(item).replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`,
  );
  return `{${quoted.join(",")}}`;
}

/** One CSV field: NULL is an unquoted empty field, every text is quoted. */
function csvField(column: ColumnValueSpec, value: unknown): string {
  if (value === null || value === undefined) {
    return "";
  }
  switch (column.pgType) {
    case "text[]":
      return csvQuote(arrayLiteral(Array.isArray(value) ? value : []));
    case "jsonb":
      return csvQuote(JSON.stringify(value));
    case "boolean":
      return value === true ? "t" : "f";
    case "bigint":
    case "bigserial":
    case "smallint":
      return typeof value === "number" || typeof value === "string" ? String(value) : "";
    case "citext":
    case "text":
    case "timestamptz":
    case "uuid":
    case "varchar":
      return csvQuote(typeof value === "string" ? value : JSON.stringify(value));
  }
}

/**
 * API tokens as the importer stores them (§9.8): a secret already taken gets a new one, and the
 * derived columns are recomputed. Synthetic exports of a million users repeat a token.
 */
class TokenSecrets {
  readonly #taken = new Set<string>();

  #unique(secret: string, tokenType: string | null): string {
    const stored = this.#taken.has(secret) ? mintTokenSecret(tokenType) : secret;
    this.#taken.add(stored);
    return stored;
  }

  store(values: Record<string, ResolvedValue>): void {
    const tokenType = typeof values["token_type"] === "string" ? values["token_type"] : null;
    const token = this.#unique(textOf(values, "token"), tokenType);
    const refresh = values["refresh_token"];
    const storedRefresh = typeof refresh === "string" ? this.#unique(refresh, tokenType) : null;
    values["token"] = token;
    values["refresh_token"] = storedRefresh;
    values["hashed_token"] = sha256Hex(token);
    values["token_last_characters"] = token.slice(-4);
    values["hashed_refresh_token"] = storedRefresh === null ? null : sha256Hex(storedRefresh);
  }
}

/** Writes one CSV file per table into `dir`; returns the tables in file order of their models. */
export async function convertExportToCsv(
  exportPath: string,
  dir: string,
  now: string,
): Promise<CopyTable[]> {
  const tables = new Map<string, { table: CopyTable; out: WriteStream; spec: ModelSpec }>();
  const ordinals = new Map<string, number>();
  const tokens = new TokenSecrets();
  for await (const row of readExportRows(fileSource(exportPath)())) {
    const spec = getModel(row.model);
    if (spec === undefined) {
      continue;
    }
    const ordinal = (ordinals.get(spec.name) ?? 0) + 1;
    ordinals.set(spec.name, ordinal);
    let entry = tables.get(spec.table);
    if (entry === undefined) {
      const table: CopyTable = {
        table: spec.table,
        columns: modelColumns(spec),
        path: join(dir, `${spec.table}.csv`),
        rows: 0,
      };
      entry = { table, out: createWriteStream(table.path), spec };
      tables.set(spec.table, entry);
    }
    const parsed = parseRow(spec, row, ordinal) as ResolvedRow;
    const values = completeValues({ row: parsed, values: parsed.values, fkKinds: {} }, now);
    if (spec.name === API_TOKEN) {
      tokens.store(values);
    }
    const record = columnRecord(spec, values, row.pk);
    const line = `${entry.table.columns.map((c) => csvField(c, record[c.name])).join(",")}\n`;
    entry.table.rows += 1;
    if (!entry.out.write(line)) {
      await once(entry.out, "drain");
    }
  }
  for (const { out } of tables.values()) {
    out.end();
    await once(out, "finish");
  }
  return [...tables.values()].map((t) => t.table);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Runs the COPY of every table in one psql session and transaction; returns its wall seconds. */
export async function copyWithPsql(
  databaseUrl: string,
  tables: readonly CopyTable[],
  scriptPath: string,
): Promise<number> {
  const lines = ["BEGIN;"];
  for (const t of tables) {
    const columns = t.columns.map((c) => quoteIdent(c.name)).join(", ");
    // \copy takes the rest of its line; the path is quoted as a literal
    lines.push(
      `\\copy ${quoteIdent(t.table)} (${columns}) FROM '${t.path.replaceAll("'", "''")}' WITH (FORMAT csv)`,
    );
  }
  lines.push("COMMIT;", "");
  writeFileSync(scriptPath, lines.join("\n"));
  const started = performance.now();
  const child = spawn(
    "psql",
    ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", databaseUrl, "-f", scriptPath],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const [code] = (await once(child, "exit")) as [number | null];
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    throw new Error(`psql exited with ${String(code)} while copying`);
  }
  return seconds;
}
