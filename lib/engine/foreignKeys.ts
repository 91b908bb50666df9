/**
 * FK rewriting through the stored pk map (import-semantics.md §11.3): every non-null FK is
 * replaced by the new pk; a miss skips the row silently, and so cascades to whatever depends on
 * it. Only models whose runs come earlier in the file are visible (§6.3 rule 2).
 */
import type { ResolvedRow, ResolvedValue } from "../export/row.ts";
import type { ImportUuid } from "../ledger/key.ts";
import type { ImportKind } from "../pkmap.ts";
import type { Db } from "../ports.ts";
import type { ModelName, ModelSpec } from "../registry/types.ts";
import type { WritableRow } from "../writer/types.ts";
import { lookupPkMap } from "./sql/pkMap.ts";
import type { MappedPk } from "./sql/pkMap.ts";

export async function rewriteForeignKeys(
  db: Db,
  importUuid: ImportUuid,
  spec: ModelSpec,
  rows: readonly ResolvedRow[],
  visibleModels: ReadonlySet<ModelName>,
): Promise<WritableRow[]> {
  const lookups = new Map<ModelName, Map<number, MappedPk>>();
  for (const fk of spec.foreignKeys) {
    if (lookups.has(fk.target) || !visibleModels.has(fk.target)) {
      continue;
    }
    const oldPks = rows.flatMap((row) => {
      const value = row.values[fk.key];
      return typeof value === "number" ? [value] : [];
    });
    lookups.set(fk.target, await lookupPkMap(db, importUuid, fk.target, oldPks));
  }

  if (spec.foreignKeys.length === 0) {
    // nothing to rewrite: the parsed values serve as they are (they are never modified)
    return rows.map((row) => ({ row, values: row.values, fkKinds: {} }));
  }
  const out: WritableRow[] = [];
  for (const row of rows) {
    const values: Record<string, ResolvedValue> = { ...row.values };
    const fkKinds: Record<string, ImportKind> = {};
    let resolved = true;
    for (const fk of spec.foreignKeys) {
      const old = row.values[fk.key];
      if (old === null || old === undefined) {
        continue;
      }
      const mapped = typeof old === "number" ? lookups.get(fk.target)?.get(old) : undefined;
      if (mapped === undefined) {
        resolved = false;
        break;
      }
      values[fk.key] = mapped.newPk;
      fkKinds[fk.key] = mapped.kind;
    }
    if (resolved) {
      out.push({ row, values, fkKinds });
    }
  }
  return out;
}
