/**
 * The pk map, stored: `sentry_import.pk_map` holds one row per recorded row of the models FKs
 * point at (`isForeignKeyTarget`), written in the chunk's transaction. It is what FK rewriting
 * reads (one indexed lookup per FK target and chunk), in the CLI and in the serverless path
 * alike, so no process has to hold the map.
 */
import type { ImportUuid } from "../../ledger/key.ts";
import type { ImportKind } from "../../pkmap.ts";
import type { Db } from "../../ports.ts";
import type { ModelName } from "../../registry/types.ts";

export const PK_MAP_TABLE = "sentry_import.pk_map";

export interface MappedPk {
  readonly newPk: number;
  readonly kind: ImportKind;
}

/** The entries of `model` for the given old pks; absent pks are simply missing from the map. */
export async function lookupPkMap(
  db: Db,
  importUuid: ImportUuid,
  model: ModelName,
  oldPks: readonly number[],
): Promise<Map<number, MappedPk>> {
  const found = new Map<number, MappedPk>();
  if (oldPks.length === 0) {
    return found;
  }
  // One primary-key probe per old pk. With `old_pk = ANY(…)` the planner, which has no
  // statistics on a table this very import is filling, read every entry of the model and
  // filtered: a full scan per chunk, quadratic over an import. The LIMIT keeps the lateral
  // subquery from being flattened back into that plan.
  const { rows } = await db.query<{ old_pk: string; new_pk: string; kind: ImportKind }>(
    `SELECT m.old_pk::text, m.new_pk::text, m.kind
     FROM unnest($3::bigint[]) AS k(old_pk)
     CROSS JOIN LATERAL (
       SELECT p.old_pk, p.new_pk, p.kind FROM ${PK_MAP_TABLE} p
       WHERE p.import_uuid = $1::uuid AND p.model = $2 AND p.old_pk = k.old_pk
       LIMIT 1
     ) AS m`,
    [importUuid, model, [...new Set(oldPks)]],
  );
  for (const row of rows) {
    found.set(Number(row.old_pk), { newPk: Number(row.new_pk), kind: row.kind });
  }
  return found;
}
