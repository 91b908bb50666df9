/** Turning typed row values into column records, and filling the generated defaults. */
import type { ResolvedValue } from "../export/row.ts";
import type { ImportKind, NewPk, OldPk } from "../pkmap.ts";
import type { RecordedRow } from "../ledger/result.ts";
import type { GeneratedDefault, ModelSpec } from "../registry/types.ts";
import { mintTokenSecret, randomHash32 } from "../secrets.ts";
import type { ColumnValueSpec } from "./sql.ts";
import type { WritableRow, WriteContext } from "./types.ts";

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;

export function nowPlus30Days(now: string): string {
  return new Date(Date.parse(now) + THIRTY_DAYS_MS).toISOString();
}

function generate(
  generator: GeneratedDefault,
  now: string,
  values: Readonly<Record<string, ResolvedValue>>,
): ResolvedValue {
  switch (generator) {
    case "now":
      return now;
    case "nowPlus30Days":
      return nowPlus30Days(now);
    case "randomAlnum32":
      return randomHash32();
    case "generatedToken": {
      const tokenType = values["token_type"];
      return mintTokenSecret(typeof tokenType === "string" ? tokenType : null);
    }
  }
}

/** The row's values with every generated default filled in (now, random hashes, tokens). */
export function completeValues(writable: WritableRow, now: string): Record<string, ResolvedValue> {
  const values: Record<string, ResolvedValue> = { ...writable.values };
  for (const [key, generator] of Object.entries(writable.row.generate)) {
    values[key] = generate(generator, now, values);
  }
  return values;
}

/** `id` plus every field's column, as `insertRecords` wants them. */
export function modelColumns(model: ModelSpec): readonly ColumnValueSpec[] {
  return [
    { name: "id", pgType: "bigint", maxLength: null },
    ...model.fields.map((f) => ({ name: f.column, pgType: f.pgType, maxLength: f.maxLength })),
  ];
}

/** The fields' columns without `id`, for updates. */
export function fieldColumns(model: ModelSpec): readonly ColumnValueSpec[] {
  return model.fields.map((f) => ({ name: f.column, pgType: f.pgType, maxLength: f.maxLength }));
}

/** A column record of `values` (keyed by JSON key) for `model`, with the given id. */
export function columnRecord(
  model: ModelSpec,
  values: Readonly<Record<string, ResolvedValue>>,
  id: number,
): Record<string, unknown> {
  const record: Record<string, unknown> = { id };
  for (const field of model.fields) {
    const value = values[field.key];
    // option values are stored as JSON text in a text column (§8.3)
    record[field.column] =
      field.kind === "optionValue" ? JSON.stringify(value ?? null) : (value ?? null);
  }
  return record;
}

export function recorded(writable: WritableRow, newId: number, kind: ImportKind): RecordedRow {
  return { oldPk: writable.row.pk as OldPk, newPk: newId as NewPk, kind, slug: null };
}

/** Context pieces the simple writers need; kept tiny so writers stay testable. */
export type NowOf = Pick<WriteContext, "now">;

/** A field the parser guarantees to be a string (a NOT NULL string column). */
export function textOf(values: Readonly<Record<string, unknown>>, key: string): string {
  const value = values[key];
  if (typeof value !== "string") {
    throw new TypeError(`expected ${key} to be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A field the parser guarantees to be a number (a NOT NULL FK or integer). */
export function numberOf(values: Readonly<Record<string, unknown>>, key: string): number {
  const value = values[key];
  if (typeof value !== "number") {
    throw new TypeError(`expected ${key} to be a number, got ${JSON.stringify(value)}`);
  }
  return value;
}
