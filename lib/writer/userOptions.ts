/**
 * `sentry.useroption` (§9.5): only global options survive the gates in a Config import (org and
 * project ids never resolve); a global option whose (user, key) already exists, in the database
 * or earlier in the run, is skipped without a trace.
 */
import type { Db } from "../ports.ts";
import { USER_OPTION } from "../registry/names.ts";
import { requireModel } from "../registry/registry.ts";
import { ChunkWrites } from "./chunkWrites.ts";
import { completeValues, numberOf, textOf } from "./records.ts";
import { quoteIdent } from "./sql.ts";
import type { ModelWriter } from "./types.ts";

const userOptionModel = requireModel(USER_OPTION);

function globalKey(userId: number, key: string): string {
  return `${String(userId)}\u0000${key}`;
}

async function findGlobalOptions(db: Db, userIds: readonly number[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (userIds.length === 0) {
    return found;
  }
  const { rows } = await db.query<{ user_id: string; key: string }>(
    // a probe of the (user_id, organization_id, key) index per user: with `user_id = ANY(…)`
    // the planner, without statistics on a table this import is filling, chose to scan every
    // global option (the IS NULL indexes) and filter, once per chunk
    `SELECT o.user_id::text AS user_id, o.key
     FROM unnest($1::bigint[]) AS u(id)
     CROSS JOIN LATERAL (
       SELECT t.user_id, t.key FROM ${quoteIdent(userOptionModel.table)} t
       WHERE t.user_id = u.id AND t.organization_id IS NULL AND t.project_id IS NULL
       OFFSET 0
     ) AS o`,
    [[...new Set(userIds)]],
  );
  for (const row of rows) {
    found.add(globalKey(Number(row.user_id), row.key));
  }
  return found;
}

export const writeUserOptions: ModelWriter = async (ctx, rows) => {
  const seen = await findGlobalOptions(
    ctx.db,
    rows.map((r) => numberOf(r.values, "user")),
  );
  const writes = new ChunkWrites(userOptionModel);
  for (const writable of rows) {
    const values = completeValues(writable, ctx.now);
    const isGlobal = values["organization_id"] === null && values["project_id"] === null;
    if (isGlobal) {
      const key = globalKey(numberOf(values, "user"), textOf(values, "key"));
      if (seen.has(key)) {
        continue;
      }
      seen.add(key);
    }
    writes.insert(writable, values);
  }
  return writes.flush(ctx.db);
};
