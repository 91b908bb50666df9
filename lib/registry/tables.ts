/**
 * Tables that are written but are not export models (§4): the lost-password hash of inserted
 * users and the three import-chunk ledgers. Their column names live here for the same reason as
 * the models': nothing else spells them.
 */
import { generated, NO_DEFAULT, value } from "./fields.ts";
import {
  CONTROL_IMPORT_CHUNK,
  CONTROL_IMPORT_CHUNK_REPLICA,
  LOST_PASSWORD_HASH,
  REGION_IMPORT_CHUNK,
} from "./names.ts";
import type {
  ChunkTableName,
  ColumnSpec,
  FieldDefault,
  ModelName,
  PgType,
  Silo,
  TableSpec,
} from "./types.ts";

function col(
  name: string,
  pgType: ColumnSpec["pgType"],
  opts: { maxLength?: number; nullable?: boolean; default?: FieldDefault } = {},
): ColumnSpec {
  return {
    name,
    pgType,
    maxLength: opts.maxLength ?? null,
    nullable: opts.nullable ?? false,
    default: opts.default ?? NO_DEFAULT,
  };
}

const ID: ColumnSpec = col("id", "bigserial");

/** §4.1: one row per user inserted by a non-Global import; `user_id` is unique. */
export const LOST_PASSWORD_HASH_TABLE: TableSpec = {
  name: "sentry_lostpasswordhash",
  model: LOST_PASSWORD_HASH,
  silo: "Control",
  columns: [
    ID,
    col("user_id", "bigint"),
    col("hash", "varchar", { maxLength: 32, default: generated("randomAlnum32") }),
    col("date_added", "timestamptz", { default: generated("now") }),
  ],
  uniques: [["user_id"]],
};

const JSONB_EMPTY = value("{}");

const CHUNK_COLUMNS: readonly ColumnSpec[] = [
  ID,
  col("date_updated", "timestamptz", { default: generated("now") }),
  col("date_added", "timestamptz", { nullable: true, default: generated("now") }),
  col("import_uuid", "uuid"),
  col("model", "varchar", { maxLength: 64 }),
  col("min_ordinal", "bigint"),
  col("max_ordinal", "bigint"),
  col("min_source_pk", "bigint"),
  col("max_source_pk", "bigint"),
  col("min_inserted_pk", "bigint", { nullable: true, default: value(null) }),
  col("max_inserted_pk", "bigint", { nullable: true, default: value(null) }),
  col("inserted_map", "jsonb", { default: JSONB_EMPTY }),
  col("existing_map", "jsonb", { default: JSONB_EMPTY }),
  col("overwrite_map", "jsonb", { default: JSONB_EMPTY }),
  col("inserted_identifiers", "jsonb", { default: JSONB_EMPTY }),
];

/** The ledger key (§12.3): a second delivery of a chunk collides on it. */
export const CHUNK_LEDGER_KEY = ["import_uuid", "model", "min_ordinal"] as const;

function chunkTable(name: ChunkTableName, model: ModelName, silo: Silo): TableSpec {
  return { name, model, silo, columns: CHUNK_COLUMNS, uniques: [[...CHUNK_LEDGER_KEY]] };
}

/** §4.2; with one database all three live side by side. */
export const CHUNK_TABLES: Readonly<Record<ChunkTableName, TableSpec>> = {
  sentry_regionimportchunk: chunkTable("sentry_regionimportchunk", REGION_IMPORT_CHUNK, "Region"),
  sentry_controlimportchunk: chunkTable(
    "sentry_controlimportchunk",
    CONTROL_IMPORT_CHUNK,
    "Control",
  ),
  sentry_controlimportchunkreplica: chunkTable(
    "sentry_controlimportchunkreplica",
    CONTROL_IMPORT_CHUNK_REPLICA,
    "Region",
  ),
};

/** `varchar(32)`, `text[]`, `bigserial`…: the type as written in DDL or a cast. */
export function sqlType(column: {
  pgType: PgType | "bigserial";
  maxLength: number | null;
}): string {
  return column.pgType === "varchar" && column.maxLength !== null
    ? `varchar(${column.maxLength})`
    : column.pgType;
}
