/**
 * `sentry.useremail` (§9.3): the row for a user's address (normally created by the user's side
 * effect) is updated in place, other addresses are inserted with their Email; both Inserted.
 * Outside Global scope the address must be re-verified: new hash, not verified, hashed now.
 *
 * A row that already reads "not verified, hashed now" was minted by this import's user side
 * effect moments before, with a fresh random hash of its own: rewriting it would only swap one
 * fresh random hash for another, so it is recorded without the UPDATE (at 1M users that is 1M
 * updates, each a new row version with its index entries, that change nothing of substance).
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

interface FoundUserEmail {
  readonly id: number;
  /** unverified and hashed at `now`: what a re-verification would write, but for the hash */
  readonly awaitsVerificationSinceNow: boolean;
}

async function findUserEmails(
  db: Db,
  userIds: readonly number[],
  now: string,
): Promise<Map<string, FoundUserEmail>> {
  const found = new Map<string, FoundUserEmail>();
  if (userIds.length === 0) {
    return found;
  }
  const { rows } = await db.query<{ id: string; user_id: string; email: string; fresh: boolean }>(
    // one index probe per user (see lookupPkMap for why not `user_id = ANY(…)`)
    `SELECT e.id::text AS id, e.user_id::text AS user_id, e.email,
            (NOT e.is_verified AND e.date_hash_added = $2::timestamptz) AS fresh
     FROM unnest($1::bigint[]) AS u(id)
     CROSS JOIN LATERAL (
       SELECT t.id, t.user_id, t.email, t.is_verified, t.date_hash_added
       FROM ${quoteIdent(userEmailModel.table)} t
       WHERE t.user_id = u.id
       OFFSET 0
     ) AS e`,
    [[...new Set(userIds)], now],
  );
  for (const row of rows) {
    found.set(pairKey(Number(row.user_id), row.email), {
      id: Number(row.id),
      awaitsVerificationSinceNow: row.fresh,
    });
  }
  return found;
}

export const writeUserEmails: ModelWriter = async (ctx, rows) => {
  const byPair = new Map<string, Target>();
  // rows whose only change would be another random hash (see the top of the file)
  const unchanged = new Set<string>();
  for (const [key, found] of await findUserEmails(
    ctx.db,
    rows.map((r) => numberOf(r.values, "user")),
    ctx.now,
  )) {
    byPair.set(key, { kind: "existing", id: found.id });
    if (found.awaitsVerificationSinceNow && ctx.scope !== "Global") {
      unchanged.add(key);
    }
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
    } else if (unchanged.has(key)) {
      writes.reuse(writable, target, "Inserted");
    } else {
      const changes = Object.fromEntries(UPDATED_KEYS.map((k) => [k, values[k] ?? null]));
      writes.reuse(writable, target, "Inserted", changes);
    }
  }
  const records = await writes.flush(ctx.db, UPDATED_KEYS);
  await ensureEmails(ctx.db, newAddresses, ctx.now, ctx.addressesCreatedEarlier);
  return records;
};
