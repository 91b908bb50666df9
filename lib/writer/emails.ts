/**
 * `sentry.email` (§9.2) and the get-or-create of addresses that inserting users and user emails
 * implies. `sentry_email.email` is citext: lookups compare case-insensitively and use its index.
 */
import { DbError } from "../errors.ts";
import { ASCII_ONLY, foldedHash } from "../foldedHash.ts";
import type { Db } from "../ports.ts";
import { EMAIL } from "../registry/names.ts";
import { requireModel } from "../registry/registry.ts";
import { sortedHas } from "../sortedNumbers.ts";
import { ChunkWrites } from "./chunkWrites.ts";
import type { Target } from "./chunkWrites.ts";
import { completeValues, textOf } from "./records.ts";
import { quoteIdent } from "./sql.ts";
import type { ModelWriter, NewAddressHint } from "./types.ts";

const emailModel = requireModel(EMAIL);
const EMAIL_TABLE = quoteIdent(emailModel.table);

/** An address as the database sees it: its case fold, and the row it matches, if any. */
export interface AddressLookup {
  /** `lower(address)` in the database: what citext compares */
  readonly folded: string;
  /** the `sentry_email` row with this address (compared case-insensitively), or null */
  readonly id: number | null;
}

/**
 * Looks `addresses` up in `sentry_email`, keyed by each address exactly as given. The case fold
 * comes from the database too: JavaScript's `toLowerCase` differs from Postgres's `lower()` for
 * some letters (a final `Σ`, `İ`), and mixing the two made a citext duplicate look new.
 */
export async function lookupAddresses(
  db: Db,
  addresses: readonly string[],
): Promise<Map<string, AddressLookup>> {
  const found = new Map<string, AddressLookup>();
  if (addresses.length === 0) {
    return found;
  }
  const { rows } = await db.query<{ address: string; folded: string; id: string | null }>(
    `SELECT a.address, lower(a.address) AS folded, min(e.id)::text AS id
     FROM unnest($1::text[]) AS a(address)
     LEFT JOIN ${EMAIL_TABLE} e ON e.email = a.address::citext
     GROUP BY a.address`,
    [[...new Set(addresses)]],
  );
  for (const row of rows) {
    found.set(row.address, { folded: row.folded, id: row.id === null ? null : Number(row.id) });
  }
  return found;
}

function lookupOf(lookups: ReadonlyMap<string, AddressLookup>, address: string): AddressLookup {
  const lookup = lookups.get(address);
  if (lookup === undefined) {
    throw new Error(`the address ${JSON.stringify(address)} was not looked up`);
  }
  return lookup;
}

/** The savepoint a plain INSERT of new addresses runs under. */
const NEW_ADDRESSES = "sentry_import_new_addresses";

function isDuplicateAddress(thrown: unknown): boolean {
  return (
    thrown instanceof DbError &&
    thrown.classification === "duplicate" &&
    thrown.table === emailModel.table
  );
}

/**
 * The addresses a hint proves new to the file's rows (`NewAddressHint`), each fold's first
 * spelling once, and the others; null when some address is outside ASCII: the database may fold
 * it onto an ASCII one, and then only the careful way keeps file order's spelling.
 */
function splitNewAddresses(
  addresses: readonly string[],
  hint: NewAddressHint,
): { readonly fresh: readonly string[]; readonly others: readonly string[] } | null {
  const fresh: string[] = [];
  const others: string[] = [];
  const folds = new Set<string>();
  for (const address of addresses) {
    if (!ASCII_ONLY.test(address)) {
      return null;
    }
    const folded = address.toLowerCase();
    if (folds.has(folded) || sortedHas(hint.mayExist, foldedHash(address))) {
      others.push(address);
    } else {
      fresh.push(address);
    }
    folds.add(folded);
  }
  return { fresh, others };
}

/**
 * Inserts addresses no other chunk creates with a plain INSERT, under a savepoint. False, with
 * nothing written, when one existed: a database that held it before the import, or a row the
 * plan pass's books missed (an export without some user's own user email).
 */
async function insertNewAddresses(
  db: Db,
  addresses: readonly string[],
  now: string,
): Promise<boolean> {
  await db.query(`SAVEPOINT ${NEW_ADDRESSES}`);
  try {
    // no ORDER BY: by the plan pass's books no other chunk inserts these, so there is no lock
    // order to keep. Should one do so all the same, this waits for it and fails (or the
    // deadlock is detected and the chunk retried), and the chunk falls back.
    await db.query(
      `INSERT INTO ${EMAIL_TABLE} (email, date_added)
       SELECT a.address, $2::timestamptz FROM unnest($1::text[]) AS a(address)`,
      [addresses, now],
    );
  } catch (thrown) {
    if (!isDuplicateAddress(thrown)) {
      throw thrown;
    }
    await db.query(`ROLLBACK TO SAVEPOINT ${NEW_ADDRESSES}`);
    await db.query(`RELEASE SAVEPOINT ${NEW_ADDRESSES}`);
    return false;
  }
  await db.query(`RELEASE SAVEPOINT ${NEW_ADDRESSES}`);
  return true;
}

/**
 * Creates the `sentry_email` rows of addresses that have none yet (case-insensitively), in one
 * statement: `ON CONFLICT DO NOTHING` lets the unique index's own insertion find an existing
 * address (citext compares case-insensitively) instead of a probe per address before it, and
 * a concurrent chunk creating the same address waits for it instead of failing. Rows go in by
 * the address's case fold, and in the given order within one fold, so the first spelling of an
 * address wins, as Sentry's get-or-create in file order does; and every chunk takes the unique
 * index's entries in the same order, so two concurrent chunks sharing addresses wait for each
 * other instead of deadlocking. A skipped row consumes a sequence value; nothing refers to
 * `sentry_email` ids. Addresses in `createdElsewhere` are left out: another chunk's user creates
 * them (`ChunkRequest.addressesCreatedEarlier`).
 *
 * With a `hint`, the addresses it proves new go first, with a plain INSERT: `ON CONFLICT`
 * descends the citext index twice per row (its check, then the insertion), a plain INSERT once.
 * 1,000 new addresses into a table of a million: 37–39 ms against 18–20 ms.
 */
export async function ensureEmails(
  db: Db,
  given: readonly string[],
  now: string,
  createdElsewhere?: ReadonlySet<string>,
  hint?: NewAddressHint,
): Promise<void> {
  const addresses =
    createdElsewhere === undefined ? given : given.filter((a) => !createdElsewhere.has(a));
  if (addresses.length === 0) {
    return;
  }
  let remaining = addresses;
  const split = hint === undefined ? null : splitNewAddresses(addresses, hint);
  if (hint !== undefined && split !== null && split.fresh.length > 0) {
    if (await insertNewAddresses(db, split.fresh, now)) {
      remaining = split.others;
    } else {
      hint.misses.count += 1;
    }
  }
  if (remaining.length === 0) {
    return;
  }
  await db.query(
    `INSERT INTO ${EMAIL_TABLE} (email, date_added)
     SELECT a.address, $2::timestamptz
     FROM unnest($1::text[]) WITH ORDINALITY AS a(address, n)
     ORDER BY lower(a.address), a.n
     ON CONFLICT DO NOTHING`,
    [remaining, now],
  );
}

/**
 * Get-or-create by address; a found row takes the incoming fields and counts as Existing. As in
 * Sentry (which saves the incoming instance under the found pk), that includes the address's own
 * spelling: `Foo@x` found as `foo@x` is stored as `Foo@x` afterwards.
 */
export const writeEmails: ModelWriter = async (ctx, rows) => {
  const lookups = await lookupAddresses(
    ctx.db,
    rows.map((r) => textOf(r.values, "email")),
  );
  const writes = new ChunkWrites(emailModel);
  // by database case fold: found rows, then the ones this chunk inserts
  const byFolded = new Map<string, Target>();
  for (const { folded, id } of lookups.values()) {
    if (id !== null) {
      byFolded.set(folded, { kind: "existing", id });
    }
  }
  for (const writable of rows) {
    const values = completeValues(writable, ctx.now);
    const { folded } = lookupOf(lookups, textOf(values, "email"));
    const target = byFolded.get(folded);
    if (target === undefined) {
      byFolded.set(folded, writes.insert(writable, values));
    } else {
      writes.reuse(writable, target, "Existing", {
        email: values["email"] ?? null,
        date_added: values["date_added"] ?? ctx.now,
      });
    }
  }
  return writes.flush(ctx.db, ["email", "date_added"]);
};
