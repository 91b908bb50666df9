/**
 * `sentry.useremail` (§9.3): the row for a user's address (normally created by the user's side
 * effect) is updated in place, other addresses are inserted with their Email; both Inserted.
 * Outside Global scope the address must be re-verified: new hash, not verified, hashed now.
 */
import type { Db } from "../ports.ts";
import { USER_EMAIL } from "../registry/names.ts";
import { requireModel } from "../registry/registry.ts";
import { randomHash32 } from "../secrets.ts";
import { ChunkWrites } from "./chunkWrites.ts";
import type { Target } from "./chunkWrites.ts";
import { ensureEmails } from "./emails.ts";
import { completeValues, numberOf, textOf } from "./records.ts";
import { quoteIdent } from "./sql.ts";
import type { ModelWriter } from "./types.ts";

const userEmailModel = requireModel(USER_EMAIL);
const UPDATED_KEYS = ["email", "validation_hash", "date_hash_added", "is_verified"] as const;

function pairKey(userId: number, email: string): string {
  return `${String(userId)}\u0000${email}`;
}

async function findUserEmails(db: Db, userIds: readonly number[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (userIds.length === 0) {
    return found;
  }
  const { rows } = await db.query<{ id: string; user_id: string; email: string }>(
    // one index probe per user (see lookupPkMap for why not `user_id = ANY(…)`)
    `SELECT e.id::text AS id, e.user_id::text AS user_id, e.email
     FROM unnest($1::bigint[]) AS u(id)
     CROSS JOIN LATERAL (
       SELECT t.id, t.user_id, t.email FROM ${quoteIdent(userEmailModel.table)} t
       WHERE t.user_id = u.id
       OFFSET 0
     ) AS e`,
    [[...new Set(userIds)]],
  );
  for (const row of rows) {
    found.set(pairKey(Number(row.user_id), row.email), Number(row.id));
  }
  return found;
}

export const writeUserEmails: ModelWriter = async (ctx, rows) => {
  const byPair = new Map<string, Target>();
  for (const [key, id] of await findUserEmails(
    ctx.db,
    rows.map((r) => numberOf(r.values, "user")),
  )) {
    byPair.set(key, { kind: "existing", id });
  }
  const writes = new ChunkWrites(userEmailModel);
  const newAddresses: string[] = [];
  for (const writable of rows) {
    const values = completeValues(writable, ctx.now);
    if (ctx.scope !== "Global") {
      values["is_verified"] = false;
      values["validation_hash"] = randomHash32();
      values["date_hash_added"] = ctx.now;
    }
    const key = pairKey(numberOf(values, "user"), textOf(values, "email"));
    const target = byPair.get(key);
    if (target === undefined) {
      byPair.set(key, writes.insert(writable, values));
      newAddresses.push(textOf(values, "email"));
    } else {
      const changes = Object.fromEntries(UPDATED_KEYS.map((k) => [k, values[k] ?? null]));
      writes.reuse(writable, target, "Inserted", changes);
    }
  }
  const records = await writes.flush(ctx.db, UPDATED_KEYS);
  await ensureEmails(ctx.db, newAddresses, ctx.now);
  return records;
};
