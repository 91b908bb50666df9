/**
 * `sentry.email` (§9.2) and the get-or-create of addresses that inserting users and user emails
 * implies. `sentry_email.email` is citext: lookups compare case-insensitively and use its index.
 */
import type { Db } from "../ports.ts";
import { EMAIL } from "../registry/names.ts";
import { requireModel } from "../registry/registry.ts";
import { ChunkWrites } from "./chunkWrites.ts";
import type { Target } from "./chunkWrites.ts";
import { completeValues, textOf } from "./records.ts";
import { insertRecords, quoteIdent } from "./sql.ts";
import type { ModelWriter } from "./types.ts";

const emailModel = requireModel(EMAIL);
const EMAIL_TABLE = quoteIdent(emailModel.table);

/** Existing `sentry_email` ids by lower-cased address. */
export async function findEmails(
  db: Db,
  addresses: readonly string[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (addresses.length === 0) {
    return found;
  }
  const { rows } = await db.query<{ id: string; email: string }>(
    `SELECT id::text AS id, email::text AS email FROM ${EMAIL_TABLE}
     WHERE email = ANY($1::text[]::citext[])`,
    [[...new Set(addresses)]],
  );
  for (const row of rows) {
    found.set(row.email.toLowerCase(), Number(row.id));
  }
  return found;
}

/** Creates the `sentry_email` rows of addresses that have none yet (case-insensitively). */
export async function ensureEmails(
  db: Db,
  addresses: readonly string[],
  now: string,
): Promise<void> {
  const existing = await findEmails(db, addresses);
  const missing = new Map<string, string>();
  for (const address of addresses) {
    const lower = address.toLowerCase();
    if (!existing.has(lower) && !missing.has(lower)) {
      missing.set(lower, address);
    }
  }
  await insertRecords(
    db,
    emailModel.table,
    [
      { name: "email", pgType: "citext", maxLength: null },
      { name: "date_added", pgType: "timestamptz", maxLength: null },
    ],
    [...missing.values()].map((email) => ({ email, date_added: now })),
  );
}

/**
 * Get-or-create by address; a found row takes the incoming fields and counts as Existing. As in
 * Sentry (which saves the incoming instance under the found pk), that includes the address's own
 * spelling: `Foo@x` found as `foo@x` is stored as `Foo@x` afterwards.
 */
export const writeEmails: ModelWriter = async (ctx, rows) => {
  const known = await findEmails(
    ctx.db,
    rows.map((r) => textOf(r.values, "email")),
  );
  const writes = new ChunkWrites(emailModel);
  const byAddress = new Map<string, Target>();
  for (const [lower, id] of known) {
    byAddress.set(lower, { kind: "existing", id });
  }
  for (const writable of rows) {
    const values = completeValues(writable, ctx.now);
    const lower = textOf(values, "email").toLowerCase();
    const target = byAddress.get(lower);
    if (target === undefined) {
      byAddress.set(lower, writes.insert(writable, values));
    } else {
      writes.reuse(writable, target, "Existing", {
        email: values["email"] ?? null,
        date_added: values["date_added"] ?? ctx.now,
      });
    }
  }
  return writes.flush(ctx.db, ["email", "date_added"]);
};
