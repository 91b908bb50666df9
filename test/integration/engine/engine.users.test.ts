/**
 * import-semantics.md §18.2 (users) in the User and Config scopes, on both adapters, from rows
 * built here (no ../shared needed). Pre-existing users come from a first import or plain SQL.
 * Global-scope items (users kept claimed, no LostPasswordHash) are out of scope.
 */
import type { Db } from "../../../lib/ports.ts";
import { expect, it } from "vitest";
import { ImportFailure } from "../../../lib/errors.ts";
import {
  count,
  engineSuite,
  importRows,
  ledgerOf,
  NOW,
  row,
  rowsOf,
  userRow,
} from "../../support/engine.ts";

const UNUSABLE = /^![A-Za-z0-9]{40}$/;

interface UserRecord {
  id: string;
  username: string;
  email: string;
  password: string;
  is_staff: boolean;
  is_superuser: boolean;
  is_managed: boolean;
  is_unclaimed: boolean;
  is_password_expired: boolean;
  last_password_change: Date | string | null;
}

async function users(db: Db): Promise<UserRecord[]> {
  return rowsOf<UserRecord & Record<string, unknown>>(
    db,
    `SELECT id::text AS id, username, email, password, is_staff, is_superuser, is_managed,
       is_unclaimed, is_password_expired, last_password_change
     FROM auth_user ORDER BY id::bigint`,
  );
}

const ADMINS = [
  userRow(1, "managed", { is_managed: true }),
  userRow(2, "staff", { is_staff: true }),
  userRow(3, "root", { is_staff: true, is_superuser: true }),
  userRow(4, "super", { is_superuser: true }),
  userRow(5, "plain"),
];

engineSuite("§18.2 users", (db) => {
  it("a Config import keeps is_staff, is_superuser and is_managed as in the file", async () => {
    await importRows(db(), ADMINS);
    const flags = (await users(db())).map((u) => [
      u.username,
      u.is_staff,
      u.is_superuser,
      u.is_managed,
    ]);
    expect(flags).toEqual([
      ["managed", false, false, true],
      ["staff", true, false, false],
      ["root", true, true, false],
      ["super", false, true, false],
      ["plain", false, false, false],
    ]);
  });

  it("a User import forces is_staff, is_superuser and is_managed to false for every imported user", async () => {
    await importRows(db(), ADMINS, { scope: "User" });
    const all = await users(db());
    expect(all).toHaveLength(5);
    for (const u of all) {
      expect([u.is_staff, u.is_superuser, u.is_managed]).toEqual([false, false, false]);
    }
  });

  it.each(["Config", "User"] as const)(
    "a %s import marks every inserted user unclaimed with an unknown password, last_password_change now, not expired, and exactly one LostPasswordHash each",
    async (scope) => {
      await importRows(
        db(),
        [
          userRow(1, "a", { is_unclaimed: false, is_password_expired: true }),
          userRow(2, "b", { is_unclaimed: true, password: "" }),
          userRow(3, "c", { last_password_change: null }),
        ],
        { scope },
      );
      const all = await users(db());
      expect(all).toHaveLength(3);
      for (const u of all) {
        expect(u.is_unclaimed).toBe(true);
        expect(u.password).toMatch(UNUSABLE);
        expect(u.is_password_expired).toBe(false);
        expect(new Date(u.last_password_change ?? 0).toISOString()).toBe(NOW);
      }
      expect(new Set(all.map((u) => u.password)).size).toBe(3);
      const hashes = await rowsOf<{ user_id: string; n: string }>(
        db(),
        "SELECT user_id::text, count(*)::text AS n FROM sentry_lostpasswordhash GROUP BY user_id ORDER BY user_id::bigint",
      );
      expect(hashes).toEqual(all.map((u) => ({ user_id: u.id, n: "1" })));
    },
  );

  it("a colliding username without merge_users inserts a user named after it with a '-' and a random suffix; importing the file twice gives three distinct usernames", async () => {
    const file = [userRow(1, "some-user")];
    await importRows(db(), file);
    await importRows(db(), file);
    await importRows(db(), file);
    const names = (await users(db())).map((u) => u.username);
    expect(names).toHaveLength(3);
    expect(names[0]).toBe("some-user");
    expect(names[1]).toMatch(/^some-user-[a-z0-9]{2,12}$/);
    expect(names[2]).toMatch(/^some-user-[a-z0-9]{2,12}$/);
    expect(new Set(names).size).toBe(3);
  });

  it("a suffixed username never collides case-insensitively with an existing username", async () => {
    // every 2-character candidate of "x" exists in upper case: the suffix must have 3 characters
    await db().query(
      `INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active,
         is_unclaimed, is_superuser, is_managed, is_password_expired, date_joined, avatar_type, flags)
       SELECT '!', upper('x-' || a || b), '', '', false, true, false, false, false, false, now(), 0, 0
       FROM regexp_split_to_table('abcdefghijklmnopqrstuvwxyz0123456790', '') AS a,
            regexp_split_to_table('abcdefghijklmnopqrstuvwxyz0123456790', '') AS b
       ON CONFLICT DO NOTHING`,
    );
    await db().query(
      `INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active,
         is_unclaimed, is_superuser, is_managed, is_password_expired, date_joined, avatar_type, flags)
       VALUES ('!', 'X', '', '', false, true, false, false, false, false, now(), 0, 0)`,
    );
    const before = await count(db(), "auth_user");
    await importRows(db(), [userRow(1, "x"), userRow(2, "x")]);
    const imported = await rowsOf<{ username: string }>(
      db(),
      "SELECT username FROM auth_user ORDER BY id OFFSET $1",
      [before],
    );
    expect(imported).toHaveLength(2);
    for (const { username } of imported) {
      expect(username).toMatch(/^x-[a-z0-9]{3,}$/);
    }
    const clashes = await rowsOf(
      db(),
      "SELECT lower(username) FROM auth_user GROUP BY lower(username) HAVING count(*) > 1",
    );
    expect(clashes).toEqual([]);
  });

  it.each(["İstanbul", "ΣΑΣ", "Änne", "ǅemal"])(
    "regression: re-importing the username %s, whose lower-casing differs between JavaScript and Postgres or not, suffixes it instead of failing on the unique username",
    async (username) => {
      const file = [userRow(1, username, { email: "unicode@example.com" })];
      await importRows(db(), file);
      await importRows(db(), file);
      await importRows(db(), [userRow(1, username.toUpperCase(), { email: "u@example.com" })]);
      const names = (await users(db())).map((u) => u.username);
      expect(names).toHaveLength(3);
      expect(names[0]).toBe(username);
      expect(names[1]?.startsWith(`${username}-`)).toBe(true);
      expect(new Set(names).size).toBe(3);
      const merged = await importRows(db(), file, { mergeUsers: true });
      expect(merged.summary.models).toEqual([
        expect.objectContaining({ model: "sentry.user", inserted: 0, existing: 1 }),
      ]);
    },
  );

  it.each([1, 20])(
    "regression: case-variant usernames of one file collide the same way whatever the chunk size (%i), even for letters JavaScript and Postgres fold differently",
    async (chunkSize) => {
      await importRows(
        db(),
        [
          userRow(1, "ΣΑΣ", { email: "a@example.com" }),
          userRow(2, "σασ", { email: "b@example.com" }),
          userRow(3, "Owner", { email: "c@example.com" }),
          userRow(4, "owner", { email: "d@example.com" }),
        ],
        { chunkSize },
      );
      const names = (await users(db())).map((u) => u.username);
      expect(names[0]).toBe("ΣΑΣ");
      expect(names[1]).toMatch(/^σασ-[a-z0-9]+$/);
      expect(names[2]).toBe("Owner");
      expect(names[3]).toMatch(/^owner-[a-z0-9]+$/);
    },
  );

  it("a colliding username with merge_users creates no user: the ledger row has an empty inserted_map and one existing_map entry, the existing user stays claimed, and no LostPasswordHash is created", async () => {
    await db().query(
      `INSERT INTO auth_user (id, password, username, first_name, email, is_staff, is_active,
         is_unclaimed, is_superuser, is_managed, is_password_expired, date_joined, avatar_type, flags)
       VALUES (700, 'keep-me', 'owner', '', 'owner@example.com', false, true, false, false, false,
         false, now(), 0, 0)`,
    );
    await importRows(db(), [userRow(5, "owner", { email: "other@example.com" })], {
      mergeUsers: true,
    });
    expect(await users(db())).toEqual([
      expect.objectContaining({
        id: "700",
        username: "owner",
        password: "keep-me",
        is_unclaimed: false,
        email: "owner@example.com",
      }),
    ]);
    expect(await count(db(), "sentry_lostpasswordhash")).toBe(0);
    expect(await count(db(), "sentry_useremail")).toBe(0);
    const [entry, ...more] = await ledgerOf(db(), "sentry.user");
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ inserted: {}, existing: { "5": 700 }, overwrite: {} });
  });

  it("with merge_users the merged user's incoming UserEmails, UserPermissions and UserOptions are dropped, without ledger rows, and the existing user keeps only its own", async () => {
    const first = [
      userRow(1, "owner", { email: "owner@example.com" }),
      row("sentry.userpermission", 1, { user: 1, permission: "users.admin" }),
    ];
    await importRows(db(), first);
    const existingEmails = await rowsOf(db(), "SELECT user_id, email FROM sentry_useremail");

    await importRows(
      db(),
      [
        userRow(9, "owner", { email: "new@example.com" }),
        row("sentry.userpermission", 9, { user: 9, permission: "options.admin" }),
        row("sentry.useroption", 9, {
          user: 9,
          project_id: null,
          organization_id: null,
          key: "language",
          value: "de",
        }),
        row("sentry.useremail", 9, {
          user: 9,
          email: "new@example.com",
          validation_hash: "x".repeat(32),
          date_hash_added: "2023-06-22T00:00:00.000Z",
          is_verified: true,
        }),
      ],
      { mergeUsers: true, importUuid: "00000000-0000-4000-8000-000000000009" },
    );

    expect(await rowsOf(db(), "SELECT user_id, email FROM sentry_useremail")).toEqual(
      existingEmails,
    );
    expect(await rowsOf(db(), "SELECT permission FROM sentry_userpermission")).toEqual([
      { permission: "users.admin" },
    ]);
    expect(await count(db(), "sentry_useroption")).toBe(0);
    const second = await rowsOf<{ model: string }>(
      db(),
      `SELECT model FROM sentry_controlimportchunk
       WHERE import_uuid = '00000000-0000-4000-8000-000000000009' ORDER BY model`,
    );
    expect(second.map((r) => r.model)).toEqual(["sentry.user"]);
  });

  it("without merge_users the new suffixed user gets its own UserEmail (one inserted ledger entry) and the existing user keeps its own", async () => {
    await importRows(db(), [userRow(1, "owner", { email: "owner@example.com" })]);
    const [original] = await users(db());
    const uuid = "00000000-0000-4000-8000-00000000000a";
    await importRows(
      db(),
      [
        userRow(1, "owner", { email: "owner@example.com" }),
        row("sentry.useremail", 1, {
          user: 1,
          email: "owner@example.com",
          validation_hash: "y".repeat(32),
          date_hash_added: "2023-06-22T00:00:00.000Z",
          is_verified: true,
        }),
      ],
      { importUuid: uuid },
    );
    const all = await users(db());
    expect(all).toHaveLength(2);
    const suffixed = all[1];
    const emails = await rowsOf<{ user_id: string; email: string }>(
      db(),
      "SELECT user_id::text, email FROM sentry_useremail ORDER BY user_id",
    );
    expect(emails).toEqual([
      { user_id: original?.id, email: "owner@example.com" },
      { user_id: suffixed?.id, email: "owner@example.com" },
    ]);
    const ledgerRows = (await ledgerOf(db(), "sentry.useremail")).filter(
      (e) => e.importUuid === uuid,
    );
    expect(ledgerRows).toHaveLength(1);
    expect(Object.keys(ledgerRows[0]?.inserted ?? {})).toEqual(["1"]);
  });

  it("a username longer than 128 characters fails the import with ValidationError on sentry.user", async () => {
    const email = { email: "long@example.com" };
    const failure = await importRows(db(), [userRow(1, "u".repeat(129), email)]).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ImportFailure);
    expect(failure).toMatchObject({
      code: "ValidationError",
      on: { model: "sentry.user", field: "username" },
    });
    expect(await count(db(), "auth_user")).toBe(0);
    // the boundary itself is fine
    await importRows(db(), [userRow(1, "u".repeat(128), email)]);
    expect(await count(db(), "auth_user")).toBe(1);
  });

  it("a user row without a username fails validation, while unknown fields such as doesnotexist and is_suspended are ignored", async () => {
    const blank = await importRows(db(), [userRow(1, "")]).catch((e: unknown) => e);
    expect(blank).toMatchObject({
      code: "ValidationError",
      on: { model: "sentry.user", field: "username" },
    });
    const { fields } = userRow(1, "unknown-fields");
    const withoutUsername = Object.fromEntries(
      Object.entries(fields).filter(([key]) => key !== "username"),
    );
    const missing = await importRows(db(), [
      { model: "sentry.user", pk: 1, fields: withoutUsername },
    ]).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: "ValidationError", on: { model: "sentry.user" } });
    expect(await count(db(), "auth_user")).toBe(0);

    await importRows(db(), [
      userRow(1, "unknown-fields", { doesnotexist: "x", is_suspended: false }),
    ]);
    expect((await users(db())).map((u) => u.username)).toEqual(["unknown-fields"]);
  });

  it("a user's email is not changed when its username gets a suffix", async () => {
    await importRows(db(), [userRow(1, "owner", { email: "first@example.com" })]);
    await importRows(db(), [userRow(1, "Owner", { email: "Second@Example.com" })]);
    const all = await users(db());
    expect(all.map((u) => u.email)).toEqual(["first@example.com", "Second@Example.com"]);
    expect(all[1]?.username).toMatch(/^Owner-[a-z0-9]+$/);
  });
});
