/**
 * The in-order decisions of one chunk, executed set-based. A writer walks its rows in file order
 * and says, per row, "insert these values", or "this row maps to that existing/pending row"
 * (optionally updating it). `flush` then allocates ids, INSERTs and UPDATEs in one statement
 * each, and returns the recorded rows in file order, so the outcome equals row-by-row processing
 * while costing a constant number of round trips.
 */
import type { ResolvedValue } from "../export/row.ts";
import type { RecordedRow } from "../ledger/result.ts";
import type { ImportKind } from "../pkmap.ts";
import type { Db } from "../ports.ts";
import type { ModelSpec } from "../registry/types.ts";
import { columnRecord, modelColumns, recorded } from "./records.ts";
import { allocateIds, insertRecords, updateRecordsById } from "./sql.ts";
import type { WritableRow } from "./types.ts";

/** A row that already exists, or one this chunk will insert (its slot among the inserts). */
export type Target =
  | { readonly kind: "existing"; readonly id: number }
  | { readonly kind: "pending"; readonly slot: number };

type Values = Record<string, ResolvedValue>;

export class ChunkWrites {
  readonly #model: ModelSpec;
  readonly #inserts: Values[] = [];
  readonly #updates = new Map<number, Values>();
  readonly #outcomes: { writable: WritableRow; kind: ImportKind; target: Target }[] = [];
  #ids: number[] | null = null;

  constructor(model: ModelSpec) {
    this.#model = model;
  }

  /**
   * Records `writable` as Inserted with `values` (every field, by JSON key). The object is taken
   * over, not copied (a chunk's rows are copied enough already): later `reuse` changes are merged
   * into it, so the caller must pass one of its own and not modify it afterwards.
   */
  insert(writable: WritableRow, values: Values): Target {
    const target: Target = { kind: "pending", slot: this.#inserts.length };
    this.#inserts.push(values);
    this.#outcomes.push({ writable, kind: "Inserted", target });
    return target;
  }

  /**
   * Records `writable` as mapping to `target` with `kind`; `changes` (by JSON key) are applied to
   * the target row: merged into a pending insert, or UPDATEd on an existing row.
   */
  reuse(writable: WritableRow, target: Target, kind: ImportKind, changes?: Values): void {
    if (changes !== undefined) {
      if (target.kind === "pending") {
        Object.assign(this.#inserts[target.slot] ?? {}, changes);
      } else {
        this.#updates.set(target.id, { ...(this.#updates.get(target.id) ?? {}), ...changes });
      }
    }
    this.#outcomes.push({ writable, kind, target });
  }

  /** Values a pending insert will be written with (for side effects computed before flush). */
  pendingValues(target: Target): Readonly<Values> | undefined {
    return target.kind === "pending" ? this.#inserts[target.slot] : undefined;
  }

  /**
   * Allocates ids, inserts and updates. `updateKeys` are the JSON keys an update writes; keys a
   * change did not mention keep their current value.
   */
  async flush(db: Db, updateKeys: readonly string[] = []): Promise<readonly RecordedRow[]> {
    const model = this.#model;
    const ids = await allocateIds(db, model.table, this.#inserts.length);
    this.#ids = ids;
    await insertRecords(
      db,
      model.table,
      modelColumns(model),
      this.#inserts.map((values, i) => columnRecord(model, values, ids[i] ?? 0)),
    );
    await this.#flushUpdates(db, updateKeys);
    return this.#outcomes.map((o) => recorded(o.writable, this.idOf(o.target), o.kind));
  }

  async #flushUpdates(db: Db, updateKeys: readonly string[]): Promise<void> {
    const model = this.#model;
    // group by the set of keys each update touches, so one statement updates one column list
    const groups = new Map<string, { keys: string[]; records: Record<string, unknown>[] }>();
    for (const [id, changes] of this.#updates) {
      const keys = updateKeys.filter((k) => Object.hasOwn(changes, k));
      if (keys.length === 0) {
        continue;
      }
      const signature = keys.join(",");
      const group = groups.get(signature) ?? { keys, records: [] };
      const full = columnRecord(model, changes, id);
      const record: Record<string, unknown> = { id };
      for (const field of model.fields.filter((f) => keys.includes(f.key))) {
        record[field.column] = full[field.column];
      }
      group.records.push(record);
      groups.set(signature, group);
    }
    for (const { keys, records } of groups.values()) {
      const columns = model.fields
        .filter((f) => keys.includes(f.key))
        .map((f) => ({ name: f.column, pgType: f.pgType, maxLength: f.maxLength }));
      await updateRecordsById(db, model.table, columns, records);
    }
  }

  /** The id of a target; pending targets resolve only after `flush`. */
  idOf(target: Target): number {
    if (target.kind === "existing") {
      return target.id;
    }
    const id = this.#ids?.[target.slot];
    if (id === undefined) {
      throw new Error("a pending row has no id before flush()");
    }
    return id;
  }
}
