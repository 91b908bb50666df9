/**
 * import-semantics.md §18.7 (the user filter of Config and User imports) and the derived email
 * filter of §14, on both adapters, from rows built here.
 */
import type { Db } from "../../../lib/ports.ts";
import { expect, it } from "vitest";
import {
  count,
  engineSuite,
  importRows,
  ledgerSpans,
  NOW,
  row,
  userRow,
} from "../../support/engine.ts";
import type { RawRow } from "../../support/engine.ts";

/** Four users, user_3 sharing user_2's address, each with its Email and UserEmail rows. */
function fourUsers(): RawRow[] {
  const address = (i: number) => (i === 3 ? "user_2@example.com" : `user_${String(i)}@example.com`);
  const ids = [1, 2, 3, 4];
  return [
    ...ids.map((i) => userRow(i, `user_${String(i)}`, { email: address(i) })),
    row("sentry.userpermission", 1, { user: 2, permission: "users.admin" }),
    ...[1, 2, 4].map((i) => row("sentry.email", i, { email: address(i), date_added: NOW })),
    ...ids.map((i) =>
      row("sentry.useroption", i, {
        user: i,
        project_id: null,
        organization_id: null,
        key: "language",
        value: "en",
      }),
    ),
    ...ids.map((i) =>
      row("sentry.useremail", i, {
        user: i,
        email: address(i),
        validation_hash: "v".repeat(32),
        date_hash_added: NOW,
        is_verified: true,
      }),
    ),
  ];
}

const USER_MODELS = new Set([
  "sentry.user",
  "sentry.email",
  "sentry.useremail",
  "sentry.useroption",
  "sentry.userpermission",
]);

async function userSpans(db: Db) {
  return (await ledgerSpans(db, "sentry_controlimportchunk")).filter(([model]) =>
    USER_MODELS.has(model),
  );
}

engineSuite("§18.7 filtering", (db) => {
  it.each(["Config", "User"] as const)(
    "in %s scope, with the filter {user_2} only that user, its UserEmail and its Email are imported, each ledger row covering ordinals 1..1",
    async (scope) => {
      await importRows(db(), fourUsers(), { scope, usernameFilter: ["user_2"] });
      expect(await count(db(), "auth_user")).toBe(1);
      expect(await count(db(), "auth_user", "username = 'user_2'")).toBe(1);
      expect(await count(db(), "sentry_useremail")).toBe(1);
      expect(await count(db(), "sentry_email")).toBe(1);
      expect(await count(db(), "sentry_useroption")).toBe(1);
      const spans = await userSpans(db());
      expect(spans).toEqual(
        expect.arrayContaining([
          ["sentry.email", 1, 1],
          ["sentry.user", 1, 1],
          ["sentry.useremail", 1, 1],
        ]),
      );
    },
  );

  it("with three filtered users of which two share an address: 3 users, 3 UserEmails and 2 Emails; the email ledger row covers 1..2, the user and useremail rows 1..3", async () => {
    await importRows(db(), fourUsers(), { usernameFilter: ["user_1", "user_2", "user_3"] });
    expect(await count(db(), "auth_user")).toBe(3);
    expect(await count(db(), "auth_user", "username = 'user_4'")).toBe(0);
    expect(await count(db(), "sentry_useremail")).toBe(3);
    expect(await count(db(), "sentry_email")).toBe(2);
    expect(await userSpans(db())).toEqual([
      ["sentry.email", 1, 2],
      ["sentry.user", 1, 3],
      ["sentry.useremail", 1, 3],
      ["sentry.useroption", 1, 3],
      ["sentry.userpermission", 1, 1],
    ]);
  });

  it("with an empty filter set nothing user-related is imported: 0 users, 0 UserEmails, 0 Emails", async () => {
    const report = await importRows(
      db(),
      [...fourUsers(), row("sentry.option", 1, { key: "k", value: "v", last_updated: NOW })],
      { usernameFilter: [] },
    );
    expect(await count(db(), "auth_user")).toBe(0);
    expect(await count(db(), "sentry_useremail")).toBe(0);
    expect(await count(db(), "sentry_email")).toBe(0);
    expect(await count(db(), "sentry_useroption")).toBe(0);
    expect(await count(db(), "sentry_userpermission")).toBe(0);
    expect(await userSpans(db())).toEqual([]);
    expect(await count(db(), "sentry_option")).toBe(1);
    expect(report.summary.models.find((m) => m.model === "sentry.user")).toMatchObject({
      rows: 4,
      inserted: 0,
      skipped: 4,
    });
  });
});
