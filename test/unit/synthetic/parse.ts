import { generateExportText, type SyntheticExportOptions } from "../../support/synthetic/index.ts";

export interface Row {
  readonly model: string;
  readonly pk: number;
  readonly fields: Record<string, unknown>;
}

export interface ParsedExport {
  readonly text: string;
  readonly rows: readonly Row[];
  byModel(model: string): readonly Row[];
}

/** Generates and parses an export; rows are typed loosely because tests inspect any field. */
export function parseExport(options: SyntheticExportOptions): ParsedExport {
  const text = generateExportText(options);
  const rows = JSON.parse(text) as Row[];
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const list = groups.get(row.model) ?? [];
    list.push(row);
    groups.set(row.model, list);
  }
  return { text, rows, byModel: (model) => groups.get(model) ?? [] };
}

/** A field that must be a string. */
export function s(row: Row, field: string): string {
  const value = row.fields[field];
  if (typeof value !== "string") {
    throw new Error(`${row.model} ${row.pk}: ${field} is not a string: ${JSON.stringify(value)}`);
  }
  return value;
}

/** A field that must be a number. */
export function n(row: Row, field: string): number {
  const value = row.fields[field];
  if (typeof value !== "number") {
    throw new Error(`${row.model} ${row.pk}: ${field} is not a number: ${JSON.stringify(value)}`);
  }
  return value;
}
