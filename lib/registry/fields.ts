/**
 * Small builders so the per-model files read like the tables in import-semantics.md §3.2.
 * Each builder fixes the Postgres type and value kind that go together.
 */
import type {
  FieldDefault,
  FieldSpec,
  ForeignKeyKind,
  ForeignKeySpec,
  GeneratedDefault,
  ModelName,
  StaticDefault,
} from "./types.ts";

export const NO_DEFAULT: FieldDefault = { kind: "none" };

export function value(v: StaticDefault): FieldDefault {
  return { kind: "value", value: v };
}

export function generated(generator: GeneratedDefault): FieldDefault {
  return { kind: "generated", generator };
}

interface Common {
  readonly column?: string;
  readonly nullable?: boolean;
  readonly default?: FieldDefault;
}

function base(
  key: string,
  opts: Common,
): Pick<FieldSpec, "key" | "column" | "nullable"> & {
  readonly default: FieldDefault;
} {
  return {
    key,
    column: opts.column ?? key,
    nullable: opts.nullable ?? false,
    default: opts.default ?? NO_DEFAULT,
  };
}

export function varchar(key: string, maxLength: number, opts: Common = {}): FieldSpec {
  return { ...base(key, opts), pgType: "varchar", maxLength, kind: "string" };
}

export function citext(key: string, opts: Common & { advisoryMaxLength?: number }): FieldSpec {
  const spec: FieldSpec = { ...base(key, opts), pgType: "citext", maxLength: null, kind: "citext" };
  return opts.advisoryMaxLength === undefined
    ? spec
    : { ...spec, advisoryMaxLength: opts.advisoryMaxLength };
}

export function datetime(key: string, opts: Common = {}): FieldSpec {
  return { ...base(key, opts), pgType: "timestamptz", maxLength: null, kind: "datetime" };
}

export function boolean(key: string, opts: Common = {}): FieldSpec {
  return { ...base(key, opts), pgType: "boolean", maxLength: null, kind: "boolean" };
}

export function bitfield(key: string, opts: Common = {}): FieldSpec {
  return { ...base(key, opts), pgType: "bigint", maxLength: null, kind: "bitfield" };
}

export function smallint(key: string, opts: Common & { min?: number } = {}): FieldSpec {
  const spec: FieldSpec = {
    ...base(key, opts),
    pgType: "smallint",
    maxLength: null,
    kind: "integer",
  };
  return opts.min === undefined ? spec : { ...spec, min: opts.min };
}

export function textArray(key: string, opts: Common = {}): FieldSpec {
  return { ...base(key, opts), pgType: "text[]", maxLength: null, kind: "textArray" };
}

export function optionValue(key: string): FieldSpec {
  // the column is NOT NULL text; a JSON null is stored as the text "null"
  return { ...base(key, {}), pgType: "text", maxLength: null, kind: "optionValue" };
}

export function userOptionValue(key: string): FieldSpec {
  return {
    ...base(key, { nullable: true, default: value(null) }),
    pgType: "jsonb",
    maxLength: null,
    kind: "userOptionValue",
  };
}

/** The column of an FK: `<key>_id`, unless the key already ends in `_id` (§3.1 notes). */
export function fkColumn(key: string): string {
  return key.endsWith("_id") ? key : `${key}_id`;
}

export function fk(
  key: string,
  target: ModelName,
  opts: { nullable: boolean; kind?: ForeignKeyKind },
): FieldSpec {
  return {
    key,
    column: fkColumn(key),
    pgType: "bigint",
    maxLength: null,
    nullable: opts.nullable,
    default: opts.nullable ? value(null) : NO_DEFAULT,
    kind: "fk",
    references: { target, fkKind: opts.kind ?? "Flexible" },
  };
}

/** Derives a model's FK list from its fields, so the two can never disagree. */
export function foreignKeysOf(fields: readonly FieldSpec[]): readonly ForeignKeySpec[] {
  const out: ForeignKeySpec[] = [];
  for (const f of fields) {
    if (f.references !== undefined) {
      out.push({
        key: f.key,
        column: f.column,
        target: f.references.target,
        nullable: f.nullable,
        kind: f.references.fkKind,
      });
    }
  }
  return out;
}
