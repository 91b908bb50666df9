/**
 * The primary-key map (import-semantics.md §11): model → old pk → `{ newId, kind, slug }`.
 *
 * The orchestrator owns one for the whole import, hands each model's importer only the partition
 * of its relocation dependencies, and extends itself with what the importer recorded. In the
 * serverless path it is rebuilt from ledger rows instead (`pkMapFromLedgerRows`, `lib/ledger/row.ts`).
 */
import { z } from "zod";
import { toModelName } from "./registry/types.ts";
import type { ModelName } from "./registry/types.ts";

/** The `pk` of a row in the export file. */
export type OldPk = number & { readonly __brand: "OldPk" };
/** The id a row got (or matched) in the target database. */
export type NewPk = number & { readonly __brand: "NewPk" };

/** A model name as stored (ledger `model`, wire keys): already lower-cased, never re-cased. */
export const modelNameSchema = z
  .string()
  .min(1)
  .refine((name) => name === name.toLowerCase(), { message: "model names are lower-cased" })
  .transform(toModelName);

export const oldPkSchema = z.int().transform((value) => value as OldPk);
export const newPkSchema = z
  .int()
  .positive()
  .transform((value) => value as NewPk);

export function oldPk(value: number): OldPk {
  return oldPkSchema.parse(value);
}

export function newPk(value: number): NewPk {
  return newPkSchema.parse(value);
}

/** Sentry's `ImportKind` string values (§10). */
export const IMPORT_KINDS = ["Inserted", "Existing", "Overwrite"] as const;
export const importKindSchema = z.enum(IMPORT_KINDS);
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface PkMapEntry {
  readonly newId: NewPk;
  readonly kind: ImportKind;
  /** Always null for the 13 Config models; kept for Organization/Global-scope compatibility. */
  readonly slug: string | null;
}

/** JSON object keys are strings; an old pk travels as its decimal form. */
const oldPkKeySchema = z.string().regex(/^-?(0|[1-9]\d*)$/, "old pk keys are decimal integers");

const wireEntrySchema = z.strictObject({
  new_id: newPkSchema,
  kind: importKindSchema,
  slug: z.string().nullable(),
});

/** Sentry's RPC form: `{"map_entries": {"<model>": {"<old pk>": {new_id, kind, slug}}}}`. */
export const pkMapWireSchema = z.strictObject({
  map_entries: z.record(z.string(), z.record(oldPkKeySchema, wireEntrySchema)),
});
export type PkMapWire = z.input<typeof pkMapWireSchema>;

export class PrimaryKeyMap {
  readonly #models = new Map<ModelName, Map<OldPk, PkMapEntry>>();

  insert(
    model: ModelName,
    old: OldPk,
    newId: NewPk,
    kind: ImportKind,
    slug: string | null = null,
  ): void {
    let entries = this.#models.get(model);
    if (entries === undefined) {
      entries = new Map();
      this.#models.set(model, entries);
    }
    entries.set(old, { newId, kind, slug });
  }

  get(model: ModelName, old: OldPk): PkMapEntry | null {
    return this.#models.get(model)?.get(old) ?? null;
  }

  getPk(model: ModelName, old: OldPk): NewPk | null {
    return this.get(model, old)?.newId ?? null;
  }

  getKind(model: ModelName, old: OldPk): ImportKind | null {
    return this.get(model, old)?.kind ?? null;
  }

  getSlug(model: ModelName, old: OldPk): string | null {
    return this.get(model, old)?.slug ?? null;
  }

  /** The old pks recorded for `model`, in insertion order. */
  getPks(model: ModelName): ReadonlySet<OldPk> {
    return new Set(this.#models.get(model)?.keys());
  }

  models(): readonly ModelName[] {
    return [...this.#models.keys()];
  }

  /** Number of entries over all models. */
  get size(): number {
    let total = 0;
    for (const entries of this.#models.values()) {
      total += entries.size;
    }
    return total;
  }

  *entries(): IterableIterator<readonly [ModelName, OldPk, PkMapEntry]> {
    for (const [model, entries] of this.#models) {
      for (const [old, entry] of entries) {
        yield [model, old, entry];
      }
    }
  }

  /** Copies every entry of `other` into this map; the same `(model, old)` is overwritten. */
  extend(other: PrimaryKeyMap): void {
    for (const [model, old, entry] of other.entries()) {
      this.insert(model, old, entry.newId, entry.kind, entry.slug);
    }
  }

  /** A new map holding only the listed models, and of those only the listed kinds. */
  partition(
    models: Iterable<ModelName>,
    kinds: Iterable<ImportKind> = IMPORT_KINDS,
  ): PrimaryKeyMap {
    const wantedKinds = new Set(kinds);
    const result = new PrimaryKeyMap();
    for (const model of new Set(models)) {
      for (const [old, entry] of this.#models.get(model) ?? []) {
        if (wantedKinds.has(entry.kind)) {
          result.insert(model, old, entry.newId, entry.kind, entry.slug);
        }
      }
    }
    return result;
  }

  toWire(): PkMapWire {
    const mapEntries: Record<string, Record<string, z.input<typeof wireEntrySchema>>> = {};
    for (const [model, entries] of this.#models) {
      const wireEntries: Record<string, z.input<typeof wireEntrySchema>> = {};
      for (const [old, entry] of entries) {
        wireEntries[String(old)] = { new_id: entry.newId, kind: entry.kind, slug: entry.slug };
      }
      mapEntries[model] = wireEntries;
    }
    return { map_entries: mapEntries };
  }

  /** Makes `JSON.stringify(map)` produce the wire form. */
  toJSON(): PkMapWire {
    return this.toWire();
  }

  /** Parses the wire form (already decoded from JSON); throws a `ZodError` on a bad shape. */
  static fromWire(wire: unknown): PrimaryKeyMap {
    const parsed = pkMapWireSchema.parse(wire);
    const map = new PrimaryKeyMap();
    for (const [model, entries] of Object.entries(parsed.map_entries)) {
      const name = modelNameSchema.parse(model);
      for (const [old, entry] of Object.entries(entries)) {
        map.insert(name, oldPk(Number(old)), entry.new_id, entry.kind, entry.slug);
      }
    }
    return map;
  }

  static fromJson(text: string): PrimaryKeyMap {
    return PrimaryKeyMap.fromWire(JSON.parse(text));
  }
}
