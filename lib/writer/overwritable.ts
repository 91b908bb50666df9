/**
 * The overwritable config models (§9.6): option, controloption, relay, relayusage, userrole. A
 * row whose collision key matches an existing row (in the database or earlier in the run) is
 * Existing, or with `overwrite_configs` Overwrite: the existing row keeps its id and takes all
 * incoming values. Otherwise it is Inserted.
 */
import type { Db } from "../ports.ts";
import { columnOf } from "../registry/registry.ts";
import type { ModelSpec } from "../registry/types.ts";
import { ChunkWrites } from "./chunkWrites.ts";
import type { Target } from "./chunkWrites.ts";
import { completeValues } from "./records.ts";
import { quoteIdent } from "./sql.ts";
import type { ModelWriter } from "./types.ts";

/** Existing rows matching any incoming first-key value, keyed like `keyOf`. */
async function findByCollisionKey(
  db: Db,
  model: ModelSpec,
  keys: readonly string[],
  firstValues: readonly unknown[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const [first] = keys;
  if (first === undefined || firstValues.length === 0) {
    return found;
  }
  const columns = keys.map((k) => quoteIdent(columnOf(model, k)));
  const { rows } = await db.query<Record<string, unknown> & { id: string }>(
    `SELECT id::text AS id, ${columns.map((c, i) => `${c}::text AS k${String(i)}`).join(", ")}
     FROM ${quoteIdent(model.table)} WHERE ${quoteIdent(columnOf(model, first))}::text = ANY($1::text[])`,
    [[...new Set(firstValues.map(String))]],
  );
  for (const row of rows) {
    found.set(JSON.stringify(keys.map((_, i) => row[`k${String(i)}`] ?? null)), Number(row.id));
  }
  return found;
}

/** Key values as the lookup returns them: text, or null. */
function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function overwritableWriter(model: ModelSpec): ModelWriter {
  const keys = model.collisionKey ?? [];
  const allKeys = model.fields.map((f) => f.key);
  return async (ctx, rows) => {
    const [first] = keys;
    const existing = await findByCollisionKey(
      ctx.db,
      model,
      keys,
      first === undefined ? [] : rows.map((r) => r.values[first]).filter((v) => v !== null),
    );
    const byKey = new Map<string, Target>();
    for (const [key, id] of existing) {
      byKey.set(key, { kind: "existing", id });
    }
    const writes = new ChunkWrites(model);
    for (const writable of rows) {
      const values = completeValues(writable, ctx.now);
      if (keys.every((k) => values[k] === null || values[k] === undefined)) {
        writes.insert(writable, values);
        continue;
      }
      // key values compare as text, as the lookup returns them
      const key = JSON.stringify(keys.map((k) => scalarText(values[k])));
      const target = byKey.get(key);
      if (target === undefined) {
        byKey.set(key, writes.insert(writable, values));
      } else if (ctx.flags.overwriteConfigs) {
        writes.reuse(writable, target, "Overwrite", values);
      } else {
        writes.reuse(writable, target, "Existing");
      }
    }
    return writes.flush(ctx.db, allKeys);
  };
}
