/**
 * `sentry.user` (§9.1): username collisions (case-insensitive, decision b) are suffixed or, with
 * `merge_users`, mapped to the existing user; inserted users are scrubbed for the scope and get
 * their side effects (primary UserEmail, Email, LostPasswordHash), as Sentry's signals do.
 */
import { RunOrderNeeded } from "../errors.ts";
import type { ResolvedValue } from "../export/row.ts";
import type { Db } from "../ports.ts";
import { USER, USER_EMAIL } from "../registry/names.ts";
import { requireModel } from "../registry/registry.ts";
import { LOST_PASSWORD_HASH_TABLE } from "../registry/tables.ts";
import { randomHash32, replacementPassword } from "../secrets.ts";
import { pickUniqueUsername, suffixCandidates } from "../usernames.ts";
import { ChunkWrites } from "./chunkWrites.ts";
import type { Target } from "./chunkWrites.ts";
import { ensureEmails } from "./emails.ts";
import { completeValues, textOf } from "./records.ts";
import { insertRecords, quoteIdent } from "./sql.ts";
import type { ModelWriter, WriteContext } from "./types.ts";

const userModel = requireModel(USER);
const userEmailModel = requireModel(USER_EMAIL);

/** A username as the database sees it: its case fold, and the user it collides with, if any. */
interface UsernameLookup {
  /** `lower(username)` in the database */
  readonly folded: string;
  /** an existing user whose username has the same fold (decision b), or null */
  readonly id: number | null;
}

/**
 * Looks `candidates` up in `auth_user` case-insensitively, keyed by each candidate exactly as
 * given. Both the comparison and the fold used for the run's own rows come from the database's
 * `lower()`: JavaScript's `toLowerCase` differs for some letters (`İ`, a final `Σ`), and mixing
 * the two let an exact duplicate through to the unique index, or made the outcome depend on
 * where the chunks were cut.
 */
async function lookupUsernames(
  db: Db,
  candidates: readonly string[],
): Promise<Map<string, UsernameLookup>> {
  const found = new Map<string, UsernameLookup>();
  if (candidates.length === 0) {
    return found;
  }
  const { rows } = await db.query<{ candidate: string; folded: string; id: string | null }>(
    // one probe of the lower(username) index per candidate (see lookupPkMap for why: as a plain
    // join, or as a scalar min() subquery, the planner chose to scan every user, per chunk)
    `SELECT c.candidate, lower(c.candidate) AS folded, min(u.id)::text AS id
     FROM unnest($1::text[]) AS c(candidate)
     LEFT JOIN LATERAL (
       SELECT t.id FROM ${quoteIdent(userModel.table)} t
       WHERE lower(t.username) = lower(c.candidate)
       OFFSET 0
     ) AS u ON true
     GROUP BY c.candidate`,
    [[...new Set(candidates)]],
  );
  for (const row of rows) {
    found.set(row.candidate, { folded: row.folded, id: row.id === null ? null : Number(row.id) });
  }
  return found;
}

function lookupOf(lookups: ReadonlyMap<string, UsernameLookup>, name: string): UsernameLookup {
  const lookup = lookups.get(name);
  if (lookup === undefined) {
    throw new Error(`the username ${JSON.stringify(name)} was not looked up`);
  }
  return lookup;
}

/** The scope's scrubbing of an inserted user (§9.1 "Normalise", §16). */
function scrubbed(
  ctx: WriteContext,
  values: Record<string, ResolvedValue>,
): Record<string, ResolvedValue> {
  // `values` is the writer's own copy (completeValues): scrubbed in place
  const out = values;
  if (ctx.scope === "User" || ctx.scope === "Organization") {
    out["is_staff"] = false;
    out["is_superuser"] = false;
    out["is_managed"] = false;
  }
  if (ctx.scope !== "Global" || out["is_unclaimed"] === true) {
    out["is_unclaimed"] = true;
    out["password"] = replacementPassword(ctx.flags.passwordMode);
    out["last_password_change"] = ctx.now;
    out["is_password_expired"] = false;
  }
  return out;
}

export const writeUsers: ModelWriter = async (ctx, rows) => {
  const lookups = await lookupUsernames(
    ctx.db,
    rows.map((r) => textOf(r.values, "username")),
  );
  // users this chunk inserts, by database fold: earlier rows of the run count as existing
  const pending = new Map<string, Target>();
  const writes = new ChunkWrites(userModel);
  const inserted: Target[] = [];

  for (const writable of rows) {
    const values = scrubbed(ctx, completeValues(writable, ctx.now));
    const username = textOf(values, "username");
    const { folded, id } = lookupOf(lookups, username);
    const collision: Target | undefined =
      id === null ? pending.get(folded) : { kind: "existing", id };
    if (collision !== undefined && ctx.flags.mergeUsers) {
      writes.reuse(writable, collision, "Existing");
      continue;
    }
    let chosenFold = folded;
    if (collision !== undefined) {
      if (ctx.concurrentSiblings === true) {
        // a suffix is chosen against the users the chunk can see; a sibling's are not visible
        throw new RunOrderNeeded(
          `the username ${JSON.stringify(username)} is taken and needs a suffix`,
        );
      }
      const candidates = suffixCandidates(username);
      const found = await lookupUsernames(ctx.db, candidates);
      const isTaken = (c: string): boolean => {
        const lookup = lookupOf(found, c);
        return lookup.id !== null || pending.has(lookup.folded);
      };
      // pickUniqueUsername hands over JavaScript-lower-cased names: map them back
      const takenLowered = new Set(candidates.filter(isTaken).map((c) => c.toLowerCase()));
      const chosen = pickUniqueUsername(candidates, (lowered) => takenLowered.has(lowered));
      values["username"] = chosen;
      chosenFold = lookupOf(found, chosen).folded;
    }
    const target = writes.insert(writable, values);
    pending.set(chosenFold, target);
    inserted.push(target);
  }

  const records = await writes.flush(ctx.db);
  await writeInsertedUserSideEffects(
    ctx,
    inserted.map((target) => ({
      id: writes.idOf(target),
      email: textOf(writes.pendingValues(target) ?? {}, "email"),
    })),
  );
  return records;
};

/** Sentry's post-save signals for new users, and the LostPasswordHash of non-Global imports. */
async function writeInsertedUserSideEffects(
  ctx: WriteContext,
  users: readonly { readonly id: number; readonly email: string }[],
): Promise<void> {
  if (users.length === 0) {
    return;
  }
  // a new user has no UserEmail yet, so these are plain inserts
  await insertRecords(
    ctx.db,
    userEmailModel.table,
    [
      { name: "user_id", pgType: "bigint", maxLength: null },
      { name: "email", pgType: "varchar", maxLength: null },
      { name: "validation_hash", pgType: "varchar", maxLength: null },
      { name: "date_hash_added", pgType: "timestamptz", maxLength: null },
      { name: "is_verified", pgType: "boolean", maxLength: null },
    ],
    users.map((u) => ({
      user_id: u.id,
      email: u.email,
      validation_hash: randomHash32(),
      date_hash_added: ctx.now,
      is_verified: false,
    })),
  );
  await ensureEmails(
    ctx.db,
    users.map((u) => u.email),
    ctx.now,
    ctx.addressesCreatedEarlier,
    ctx.newAddressHint,
  );
  if (ctx.scope !== "Global") {
    await insertRecords(
      ctx.db,
      LOST_PASSWORD_HASH_TABLE.name,
      [
        { name: "user_id", pgType: "bigint", maxLength: null },
        { name: "hash", pgType: "varchar", maxLength: null },
        { name: "date_added", pgType: "timestamptz", maxLength: null },
      ],
      users.map((u) => ({ user_id: u.id, hash: randomHash32(), date_added: ctx.now })),
    );
  }
}
