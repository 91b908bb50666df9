/**
 * The expected database after a Config import of fresh-install.json and of
 * user-with-maximum-privileges.json (import-semantics.md §18.14), shared by the plain-fixture and
 * the golden-vector tests.
 */
import { expect } from "vitest";
import type { Db } from "../../../lib/ports.ts";
import { ledgerSpans, rowsOf, tableCounts } from "../../support/engine.ts";

const UNUSABLE = /^![A-Za-z0-9]{40}$/;

export async function expectFreshInstall(db: Db): Promise<void> {
  expect(await tableCounts(db)).toEqual({
    auth_user: 3,
    sentry_useremail: 3,
    sentry_email: 3,
    sentry_lostpasswordhash: 3,
    sentry_option: 4,
    sentry_controloption: 0,
    sentry_relay: 1,
    sentry_relayusage: 1,
    sentry_userrole: 1,
    sentry_userrole_users: 2,
    sentry_userpermission: 0,
    sentry_useroption: 0,
    sentry_apitoken: 0,
    sentry_apiauthorization: 0,
  });
  const users = await rowsOf<{
    is_unclaimed: boolean;
    is_staff: boolean;
    is_superuser: boolean;
    password: string;
  }>(db, "SELECT is_unclaimed, is_staff, is_superuser, password FROM auth_user");
  for (const user of users) {
    expect(user).toMatchObject({ is_unclaimed: true, is_staff: true, is_superuser: true });
    expect(user.password).toMatch(UNUSABLE);
  }
  const verified = await rowsOf(db, "SELECT 1 FROM sentry_useremail WHERE is_verified");
  expect(verified).toEqual([]);
  expect(await rowsOf(db, "SELECT name, permissions FROM sentry_userrole")).toEqual([
    { name: "Super Admin", permissions: ["broadcasts.admin", "users.admin", "options.admin"] },
  ]);
  expect(await ledgerSpans(db, "sentry_regionimportchunk")).toEqual([
    ["sentry.option", 1, 4],
    ["sentry.relay", 1, 1],
    ["sentry.relayusage", 1, 1],
  ]);
  const control = [
    ["sentry.user", 1, 3],
    ["sentry.useremail", 1, 3],
    ["sentry.userrole", 1, 1],
    ["sentry.userroleuser", 1, 2],
  ];
  expect(await ledgerSpans(db, "sentry_controlimportchunk")).toEqual(control);
  expect(await ledgerSpans(db, "sentry_controlimportchunkreplica")).toEqual(control);
}

export async function expectMaximumPrivileges(db: Db): Promise<void> {
  expect(await tableCounts(db)).toMatchObject({
    auth_user: 1,
    sentry_email: 1,
    sentry_useremail: 1,
    sentry_useroption: 1,
    sentry_userpermission: 1,
    sentry_userrole: 1,
    sentry_userrole_users: 1,
    sentry_lostpasswordhash: 1,
  });
  expect(
    await rowsOf(
      db,
      "SELECT username, is_unclaimed, is_staff, is_superuser, password ~ '^![A-Za-z0-9]{40}$' AS replaced FROM auth_user",
    ),
  ).toEqual([
    {
      username: "max_user",
      is_unclaimed: true,
      is_staff: true,
      is_superuser: true,
      replaced: true,
    },
  ]);
  const [email] = await rowsOf<{ id: string; email: string; date_added: Date | string }>(
    db,
    "SELECT id::text AS id, email::text AS email, date_added FROM sentry_email",
  );
  expect(email?.email).toBe("maximum@example.com");
  expect(new Date(email?.date_added ?? 0).toISOString()).toBe("2023-06-22T22:59:54.521Z");
  const emailLedger = await rowsOf<{ existing_map: unknown; inserted_map: unknown }>(
    db,
    "SELECT existing_map, inserted_map FROM sentry_controlimportchunk WHERE model = 'sentry.email'",
  );
  expect(emailLedger).toEqual([{ existing_map: { "1": Number(email?.id) }, inserted_map: {} }]);
  expect(await rowsOf(db, "SELECT is_verified FROM sentry_useremail")).toEqual([
    { is_verified: false },
  ]);
  expect(await rowsOf(db, "SELECT key, value #>> '{}' AS value FROM sentry_useroption")).toEqual([
    { key: "timezone", value: "Europe/Vienna" },
  ]);
  expect(await rowsOf(db, "SELECT permission FROM sentry_userpermission")).toEqual([
    { permission: "users.admin" },
  ]);
  expect(await rowsOf(db, "SELECT permissions FROM sentry_userrole")).toEqual([
    { permissions: ["broadcasts.admin", "users.admin", "options.admin"] },
  ]);
  const control = [
    ["sentry.email", 1, 1],
    ["sentry.user", 1, 1],
    ["sentry.useremail", 1, 1],
    ["sentry.useroption", 1, 1],
    ["sentry.userpermission", 1, 1],
    ["sentry.userrole", 1, 1],
    ["sentry.userroleuser", 1, 1],
  ];
  expect(await ledgerSpans(db, "sentry_controlimportchunk")).toEqual(control);
  expect(await ledgerSpans(db, "sentry_controlimportchunkreplica")).toEqual(control);
  expect(await ledgerSpans(db, "sentry_regionimportchunk")).toEqual([]);
}
