/**
 * import-semantics.md §18.3 (emails) in the User and Config scopes, on both adapters, from rows
 * built here. (Global scope, which keeps the imported verification state, is out of scope.)
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../../../lib/ports.ts";
import { expect, it } from "vitest";
import {
  count,
  emailAddresses,
  engineSuite,
  importRows,
  ledgerOf,
  NOW,
  row,
  rowsOf,
  userEmailRow,
  userRow,
} from "../../support/engine.ts";
import type { RawRow } from "../../support/engine.ts";

interface UserEmailRecord {
  id: string;
  user_id: string;
  email: string;
  validation_hash: string;
  is_verified: boolean;
  date_hash_added: Date | string;
}

async function userEmails(db: Db): Promise<UserEmailRecord[]> {
  return rowsOf<UserEmailRecord & Record<string, unknown>>(
    db,
    `SELECT id::text AS id, user_id::text AS user_id, email, validation_hash, is_verified,
       date_hash_added FROM sentry_useremail ORDER BY id::bigint`,
  );
}

engineSuite("§18.3 emails", (db) => {
  it("inserting a user also creates its primary UserEmail and the matching Email, even when the file has no Email or UserEmail rows", async () => {
    await importRows(db(), [userRow(1, "solo", { email: "solo@example.com" })]);
    const [user] = await rowsOf<{ id: string }>(db(), "SELECT id::text AS id FROM auth_user");
    expect(await userEmails(db())).toEqual([
      expect.objectContaining({ user_id: user?.id, email: "solo@example.com", is_verified: false }),
    ]);
    expect(await emailAddresses(db())).toEqual(["solo@example.com"]);
  });

  it("Email rows are deduplicated case-insensitively: users sharing an address produce one Email row, which takes the spelling and date of the file's Email row", async () => {
    await db().query(
      "INSERT INTO sentry_email (email, date_added) VALUES ('SHARED@example.com', now())",
    );
    await importRows(db(), [
      userRow(1, "a", { email: "shared@example.com" }),
      userRow(2, "b", { email: "Shared@Example.com" }),
      userRow(3, "c", { email: "own@example.com" }),
      userRow(4, "d", { email: "OWN@example.com" }),
      row("sentry.email", 1, { email: "shared@EXAMPLE.com", date_added: NOW }),
      row("sentry.email", 2, { email: "own@example.com", date_added: NOW }),
    ]);
    // a found address takes the file's row, spelling included (Sentry saves the incoming row)
    expect(await emailAddresses(db())).toEqual(["shared@EXAMPLE.com", "own@example.com"]);
    expect(await count(db(), "sentry_useremail")).toBe(4);
    const [ledger] = await ledgerOf(db(), "sentry.email");
    expect(ledger).toMatchObject({ inserted: {}, overwrite: {} });
    expect(Object.keys(ledger?.existing ?? {})).toEqual(["1", "2"]);
  });

  it("regression: addresses that differ only in a letter case JavaScript and Postgres fold differently (a final Σ) are one Email, in the database and within a file", async () => {
    await importRows(db(), [userRow(1, "first", { email: "σασ@example.com" })]);
    await importRows(db(), [
      userRow(1, "second", { email: "ΣΑΣ@example.com" }),
      userRow(2, "third", { email: "ΣΑΣ@EXAMPLE.com" }),
      row("sentry.email", 1, { email: "ΣΑΣ@example.com", date_added: NOW }),
    ]);
    await importRows(db(), [
      userRow(1, "fourth", { email: "ΔΣ@example.com" }),
      userRow(2, "fifth", { email: "δσ@example.com" }),
      userEmailRow(1, 1, "ΔΣ@example.com"),
      userEmailRow(2, 1, "ΩΣ@example.com"),
      userEmailRow(3, 2, "ωσ@example.com"),
    ]);
    expect(await emailAddresses(db())).toEqual([
      "ΣΑΣ@example.com",
      "ΔΣ@example.com",
      "ΩΣ@example.com",
    ]);
    expect(await count(db(), "sentry_useremail")).toBe(7);
  });

  it.each(["Config", "User"] as const)(
    "in %s scope every imported UserEmail ends unverified, with a fresh 32-character validation_hash and a date_hash_added of now",
    async (scope) => {
      await importRows(
        db(),
        [
          userRow(1, "a", { email: "a@example.com" }),
          userRow(2, "b", { email: "b@example.com" }),
          userEmailRow(1, 1, "a@example.com"),
          userEmailRow(2, 2, "b@example.com", { validation_hash: "" }),
          userEmailRow(3, 2, "b2@example.com"),
        ],
        { scope },
      );
      const all = await userEmails(db());
      expect(all).toHaveLength(3);
      for (const e of all) {
        expect(e.is_verified).toBe(false);
        expect(e.validation_hash).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(e.validation_hash).not.toBe("imported-hash-imported-hash-1234");
        expect(new Date(e.date_hash_added).toISOString()).toBe(NOW);
      }
      expect(new Set(all.map((e) => e.validation_hash)).size).toBe(3);
    },
  );

  it("a UserEmail that the user's side effect minted in this import is recorded Inserted without a rewrite (only its fresh random hash would change); one hashed at another time is rewritten", async () => {
    await importRows(db(), [
      userRow(1, "a", { email: "a@example.com" }),
      userEmailRow(1, 1, "a@example.com"),
    ]);
    const [minted] = await rowsOf<{ id: string; same: boolean }>(
      db(),
      `SELECT e.id::text AS id, e.xmin::text = u.xmin::text AS same
       FROM sentry_useremail e JOIN auth_user u ON u.id = e.user_id`,
    );
    // written once, by the user's chunk: no second row version from the useremail chunk
    expect(minted?.same).toBe(true);
    const [ledger] = await ledgerOf(db(), "sentry.useremail");
    expect(Object.values(ledger?.inserted ?? {})).toEqual([Number(minted?.id)]);

    // a resumed import with another "now": the row the first attempt minted is rewritten
    const importUuid = randomUUID();
    const later = "2031-03-05T00:00:00.000Z";
    await importRows(db(), [userRow(1, "b", { email: "b@example.com" })], { importUuid });
    const before = (await userEmails(db())).find((e) => e.email === "b@example.com");
    await importRows(
      db(),
      [userRow(1, "b", { email: "b@example.com" }), userEmailRow(1, 1, "b@example.com")],
      { importUuid, now: later },
    );
    const after = (await userEmails(db())).find((e) => e.email === "b@example.com");
    expect(after?.id).toBe(before?.id);
    expect(new Date(after?.date_hash_added ?? 0).toISOString()).toBe(later);
    expect(after?.validation_hash).not.toBe(before?.validation_hash);
    expect(after?.validation_hash).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it("a user with several UserEmails ends with one UserEmail per address, all attached to that user, the extra addresses inserted with their Email", async () => {
    const file: RawRow[] = [
      userRow(7, "many", { email: "main@example.com" }),
      row("sentry.email", 70, { email: "main@example.com", date_added: NOW }),
      userEmailRow(71, 7, "main@example.com"),
      userEmailRow(72, 7, "second@example.com"),
      userEmailRow(73, 7, "third@example.com"),
    ];
    await importRows(db(), file);
    const [user] = await rowsOf<{ id: string }>(db(), "SELECT id::text AS id FROM auth_user");
    const all = await userEmails(db());
    expect(all.map((e) => [e.user_id, e.email])).toEqual([
      [user?.id, "main@example.com"],
      [user?.id, "second@example.com"],
      [user?.id, "third@example.com"],
    ]);
    expect((await emailAddresses(db())).sort()).toEqual([
      "main@example.com",
      "second@example.com",
      "third@example.com",
    ]);
    const [ledger] = await ledgerOf(db(), "sentry.useremail");
    expect(ledger?.inserted).toEqual({
      "71": Number(all[0]?.id),
      "72": Number(all[1]?.id),
      "73": Number(all[2]?.id),
    });
  });

  it("an incoming UserEmail for the user's primary address updates the auto-created row instead of inserting a duplicate", async () => {
    await importRows(db(), [userRow(1, "a", { email: "a@example.com" })]);
    const [autoCreated] = await userEmails(db());

    await importRows(db(), [
      userRow(1, "b", { email: "b@example.com" }),
      userEmailRow(5, 1, "b@example.com"),
    ]);
    const all = await userEmails(db());
    expect(all).toHaveLength(2);
    expect(all[0]).toEqual(autoCreated);
    const ledgers = await ledgerOf(db(), "sentry.useremail");
    expect(ledgers.map((e) => e.inserted)).toEqual([{ "5": Number(all[1]?.id) }]);
  });

  it("an Email row of the file finds the address its user's side effect created: recorded Existing, with date_added taken from the file", async () => {
    await importRows(db(), [
      userRow(1, "a", { email: "a@example.com" }),
      row("sentry.email", 9, { email: "a@example.com", date_added: "2023-06-22T22:59:54.521Z" }),
    ]);
    const rows = await rowsOf<{ id: string; date_added: Date | string }>(
      db(),
      "SELECT id::text AS id, date_added FROM sentry_email",
    );
    expect(rows).toHaveLength(1);
    expect(new Date(rows[0]?.date_added ?? 0).toISOString()).toBe("2023-06-22T22:59:54.521Z");
    const [ledger] = await ledgerOf(db(), "sentry.email");
    expect(ledger).toMatchObject({ inserted: {}, existing: { "9": Number(rows[0]?.id) } });
  });
});
