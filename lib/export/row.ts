/** The typed form of one export row after `parseRow` (import-semantics.md §7 step 3). */
import type { GeneratedDefault, ModelName, ModelSpec } from "../registry/types.ts";
import type { JsonValue } from "./json.ts";

/**
 * A Django natural-key reference to a user (`"user": ["user@example.com"]`, 23.x-era exports),
 * kept until `resolveNaturalKeys` replaces it with the file pk of the user row (decision f).
 */
export class NaturalKey {
  readonly #brand = "NaturalKey";
  readonly parts: readonly string[];

  constructor(parts: readonly string[]) {
    this.parts = Object.freeze([...parts]);
  }

  /** the username (or email) the reference names */
  get key(): string {
    return this.parts[0] ?? "";
  }

  toString(): string {
    return `${this.#brand}(${JSON.stringify(this.parts)})`;
  }
}

/**
 * A field's value, by the field's value kind:
 * - `datetime`: normalised UTC ISO string; `bitfield`: decimal string;
 * - `string`/`citext`: string; `integer`: number; `boolean`: boolean;
 * - `fk`: the old pk (number), or a `NaturalKey` before resolution;
 * - `textArray`: string[]; `optionValue`/`userOptionValue`: any JSON value;
 * - `null` where the field is nullable (and for JSON values).
 */
export type FieldValue = JsonValue | NaturalKey;

/** A field value once natural keys are resolved: FKs are numbers or null. */
export type ResolvedValue = Exclude<FieldValue, NaturalKey>;

export interface ParsedRow<V extends FieldValue = FieldValue> {
  readonly model: ModelName;
  readonly spec: ModelSpec;
  readonly pk: number;
  /** 1-based position in the export array */
  readonly position: number;
  /** 1-based ordinal within the model's run (for error locations) */
  readonly ordinal: number;
  /**
   * Every field of the model by JSON key: the file's value, or a static default. Fields in
   * `generate` are absent.
   */
  readonly values: Readonly<Record<string, V>>;
  /**
   * Fields missing from the file whose default needs a clock or randomness: the writer fills
   * them (`now`, `nowPlus30Days`, `randomAlnum32`, `generatedToken`).
   */
  readonly generate: Readonly<Record<string, GeneratedDefault>>;
}

export type ResolvedRow = ParsedRow<ResolvedValue>;
