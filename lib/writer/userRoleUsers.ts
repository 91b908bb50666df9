/**
 * `sentry.userroleuser` (§9.7, decision g): an assignment whose (user, role) already exists, in
 * the database or earlier in the run, is Existing and not inserted again.
 */
import type { Db } from "../ports.ts";
import { USER_ROLE_USER } from "../registry/names.ts";
import { requireModel } from "../registry/registry.ts";
import { ChunkWrites } from "./chunkWrites.ts";
import type { Target } from "./chunkWrites.ts";
import { completeValues, numberOf } from "./records.ts";
import { quoteIdent } from "./sql.ts";
import type { ModelWriter } from "./types.ts";

const roleUserModel = requireModel(USER_ROLE_USER);

function pairKey(userId: number, roleId: number): string {
  return `${String(userId)}:${String(roleId)}`;
}

async function findAssignments(db: Db, userIds: readonly number[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (userIds.length === 0) {
    return found;
  }
  const { rows } = await db.query<{ id: string; user_id: string; role_id: string }>(
    // one index probe per user (see lookupPkMap for why not `user_id = ANY(…)`)
    `SELECT min(a.id)::text AS id, a.user_id::text AS user_id, a.role_id::text AS role_id
     FROM unnest($1::bigint[]) AS u(id)
     CROSS JOIN LATERAL (
       SELECT t.id, t.user_id, t.role_id FROM ${quoteIdent(roleUserModel.table)} t
       WHERE t.user_id = u.id
       OFFSET 0
     ) AS a
     GROUP BY a.user_id, a.role_id`,
    [[...new Set(userIds)]],
  );
  for (const row of rows) {
    found.set(pairKey(Number(row.user_id), Number(row.role_id)), Number(row.id));
  }
  return found;
}

export const writeUserRoleUsers: ModelWriter = async (ctx, rows) => {
  const byPair = new Map<string, Target>();
  for (const [key, id] of await findAssignments(
    ctx.db,
    rows.map((r) => numberOf(r.values, "user")),
  )) {
    byPair.set(key, { kind: "existing", id });
  }
  const writes = new ChunkWrites(roleUserModel);
  for (const writable of rows) {
    const values = completeValues(writable, ctx.now);
    const key = pairKey(numberOf(values, "user"), numberOf(values, "role"));
    const target = byPair.get(key);
    if (target === undefined) {
      byPair.set(key, writes.insert(writable, values));
    } else {
      writes.reuse(writable, target, "Existing");
    }
  }
  return writes.flush(ctx.db);
};
