/**
 * The vocabulary of the model registry: what sentry-import knows about each of the 13 models a
 * Config import touches (import-semantics.md §3), as plain data.
 *
 * Terminology:
 * - a field's **key** is its name in the export's `fields` object (`user`, `name`);
 * - its **column** is the Postgres column (`user_id`, `first_name`);
 * - the registry is the single source of table and column names: writers quote them with
 *   `escapeIdentifier` and never spell one themselves.
 */

/** A lower-cased Sentry model name such as `sentry.user` (Django's `app_label.model`). */
export type ModelName = string & { readonly __brand: "ModelName" };

/** Normalises a model name from an export: exports are lower case, readers compare ignoring case. */
export function toModelName(name: string): ModelName {
  return name.toLowerCase() as ModelName;
}

/** Sentry's `RelocationScope` (§2). */
export const RELOCATION_SCOPES = ["Excluded", "User", "Organization", "Config", "Global"] as const;
export type RelocationScope = (typeof RELOCATION_SCOPES)[number];

/** Sentry's `ImportScope` (§2): what an import was asked to bring in. */
export const IMPORT_SCOPES = ["User", "Organization", "Config", "Global"] as const;
export type ImportScope = (typeof IMPORT_SCOPES)[number];

/** Sentry's hybrid-cloud silo; with one database it only picks the chunk table (§4.2). */
export const SILOS = ["Control", "Region"] as const;
export type Silo = (typeof SILOS)[number];

/** Base Postgres types used by these tables; `varchar` carries its length in `maxLength`. */
export const PG_TYPES = [
  "bigint",
  "smallint",
  "boolean",
  "timestamptz",
  "varchar",
  "citext",
  "text",
  "jsonb",
  "text[]",
  "uuid",
] as const;
export type PgType = (typeof PG_TYPES)[number];

/**
 * How to read a field's JSON value (import-semantics.md §8):
 * - `datetime`: ISO-8601, normalised to a UTC ISO string (§8.1);
 * - `boolean`: JSON true/false (and Django's other spellings);
 * - `bitfield`: decimal string or integer, kept as a decimal string (bigint-safe);
 * - `integer`: a JSON integer (kept as a number);
 * - `string`: a JSON string; `citext` the same, compared case-insensitively by Postgres;
 * - `fk`: an old pk (integer) or, for FKs to `sentry.user`, a natural key (§8.4);
 * - `optionValue`: `PickledObjectField` semantics (§8.3), the column holds JSON text;
 * - `userOptionValue`: JSON value, a JSON-string literal is decoded once (§8.3);
 * - `textArray`: JSON array, JSON text or Python list literal of strings (§8.2).
 */
export const VALUE_KINDS = [
  "datetime",
  "boolean",
  "bitfield",
  "integer",
  "string",
  "citext",
  "fk",
  "optionValue",
  "userOptionValue",
  "textArray",
] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

/** A default value known without the database or a clock. */
export type StaticDefault = string | number | boolean | null | readonly string[];

/**
 * Defaults that only the writer can produce, because they need a clock or randomness:
 * - `now`: the import's current timestamp;
 * - `nowPlus30Days`: now + 30 days (`sentry.apitoken.expires_at`);
 * - `randomAlnum32`: 32 random characters from `[A-Za-z0-9]` (validation hashes);
 * - `generatedToken`: the optional `token_type` prefix + 64 lowercase hex characters.
 */
export const GENERATED_DEFAULTS = [
  "now",
  "nowPlus30Days",
  "randomAlnum32",
  "generatedToken",
] as const;
export type GeneratedDefault = (typeof GENERATED_DEFAULTS)[number];

/** What a missing JSON key takes on import (§3.2 "Default"). */
export type FieldDefault =
  /** no model default: strings take Django's `""`, anything else is a deserialisation failure */
  | { readonly kind: "none" }
  | { readonly kind: "value"; readonly value: StaticDefault }
  | { readonly kind: "generated"; readonly generator: GeneratedDefault };

/** Sentry's FK kinds as they appear in `model_dependencies/detailed.json`, shortened. */
export const FOREIGN_KEY_KINDS = ["Flexible", "HybridCloud"] as const;
export type ForeignKeyKind = (typeof FOREIGN_KEY_KINDS)[number];

export interface ForeignKeySpec {
  /** JSON key: the Django field name (`user`, `organization_id`) */
  readonly key: string;
  /** `<key>_id`, unless the key already ends in `_id` */
  readonly column: string;
  readonly target: ModelName;
  readonly nullable: boolean;
  readonly kind: ForeignKeyKind;
}

export interface FieldSpec {
  readonly key: string;
  readonly column: string;
  readonly pgType: PgType;
  /** maximum length in characters (code points) that pre-validation enforces; null = none */
  readonly maxLength: number | null;
  /** a length only Sentry's forms check (not the column, not the importer): documentation only */
  readonly advisoryMaxLength?: number;
  readonly nullable: boolean;
  readonly default: FieldDefault;
  readonly kind: ValueKind;
  /** smallest accepted integer (a Postgres CHECK), for `integer` fields */
  readonly min?: number;
  /** present exactly when `kind` is `fk` */
  readonly references?: { readonly target: ModelName; readonly fkKind: ForeignKeyKind };
}

/**
 * A unique set, by JSON key, as Sentry's dependency graph lists it. `where` makes it partial
 * (Postgres partial unique index); `caseInsensitive` marks a citext column.
 */
export interface UniqueSet {
  readonly keys: readonly string[];
  readonly caseInsensitive?: boolean;
  readonly where?: {
    readonly nullKeys?: readonly string[];
    readonly notNullKeys?: readonly string[];
  };
}

/** The per-row scope: fixed, or Global when an FK is set and Config otherwise (§3.1 notes). */
export type RowScopeRule =
  | { readonly kind: "fixed"; readonly scope: RelocationScope }
  | {
      readonly kind: "globalWhenSet";
      readonly key: string;
      readonly whenSet: RelocationScope;
      readonly whenNull: RelocationScope;
    };

/** Fields that order rows for `backup compare` (§3.1); `onlyWhenNull` restricts it per row. */
export interface CustomOrdinal {
  readonly keys: readonly string[];
  readonly onlyWhenNull?: readonly string[];
}

export type ChunkTableName =
  "sentry_controlimportchunk" | "sentry_regionimportchunk" | "sentry_controlimportchunkreplica";

export interface ModelSpec {
  readonly name: ModelName;
  readonly table: string;
  readonly silo: Silo;
  /** the scopes a row of this model may have: one, or {Config, Global} decided per row */
  readonly relocationScopes: readonly RelocationScope[];
  readonly rowScope: RowScopeRule;
  /** 1-based index in Sentry's `sorted.json` (§3.1 "Pos") */
  readonly registryPosition: number;
  /** 1-based index among the 13 Config-scope models (§6.1) */
  readonly registryOrder: number;
  readonly customOrdinal: CustomOrdinal | null;
  /** Sentry's unique sets (what `detailed.json` lists) */
  readonly uniques: readonly UniqueSet[];
  /** uniqueness the importer enforces in code only (§9.5 global user options, decision g) */
  readonly applicationUniques: readonly UniqueSet[];
  /** the one FK-free unique set of the overwritable config models (§9.6); null otherwise */
  readonly collisionKey: readonly string[] | null;
  /** ordering-only dependencies (§6.1), in addition to the FK targets */
  readonly relocationDependencies: readonly ModelName[];
  readonly foreignKeys: readonly ForeignKeySpec[];
  /** every importable field; `id` is implicit (`bigserial PRIMARY KEY`) */
  readonly fields: readonly FieldSpec[];
  readonly chunkTable: "sentry_controlimportchunk" | "sentry_regionimportchunk";
  /** control models also get a replica row (§4.2) */
  readonly replicaTable: "sentry_controlimportchunkreplica" | null;
}

/** A column of a table that is not an export model (side effects, ledger). */
export interface ColumnSpec {
  readonly name: string;
  readonly pgType: PgType | "bigserial";
  readonly maxLength: number | null;
  readonly nullable: boolean;
  readonly default: FieldDefault;
}

export interface TableSpec {
  readonly name: string;
  /** the Sentry model behind the table, for messages */
  readonly model: ModelName;
  readonly silo: Silo;
  readonly columns: readonly ColumnSpec[];
  /** unique sets by column name */
  readonly uniques: readonly (readonly string[])[];
}

/** Every model table has this primary key column. */
export const ID_COLUMN = "id";
