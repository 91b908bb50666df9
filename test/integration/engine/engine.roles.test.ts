/**
 * import-semantics.md §18.4 (permissions and roles), on both adapters. The composite item reads
 * the four user fixtures of ../shared; the others build their rows here.
 */
import type { Db } from "../../../lib/ports.ts";
import { expect, it } from "vitest";
import {
  count,
  engineSuite,
  importRows,
  NO_SHARED,
  ledgerOf,
  readFixtureRows,
  row,
  rowsOf,
  tmpUsersComposite,
  userRow,
} from "../../support/engine.ts";

function role(pk: number, name: string, permissions: unknown) {
  return row("sentry.userrole", pk, {
    date_updated: "2023-06-22T23:00:00.123Z",
    date_added: "2023-06-22T22:54:27.960Z",
    name,
    permissions,
  });
}

function roleUser(pk: number, user: number, roleId: number) {
  return row("sentry.userroleuser", pk, {
    date_updated: "2023-06-22T23:00:00.123Z",
    date_added: "2023-06-22T22:59:57.000Z",
    user,
    role: roleId,
  });
}

async function roles(db: Db) {
  return rowsOf<{ id: string; name: string; permissions: string[] }>(
    db,
    "SELECT id::text AS id, name, permissions FROM sentry_userrole ORDER BY id::bigint",
  );
}

engineSuite("§18.4 permissions and roles", (db) => {
  it.skipIf(NO_SHARED)(
    "a Config import of the tmp-users composite yields 2 UserPermissions, 1 UserRole and 2 UserRoleUsers, the second role row of the same name mapping to the first (pk 1 Inserted, pk 3 Existing)",
    async () => {
      await importRows(db(), await tmpUsersComposite());
      expect(await count(db(), "sentry_userpermission")).toBe(2);
      expect(await count(db(), "sentry_userrole")).toBe(1);
      expect(await count(db(), "sentry_userrole_users")).toBe(2);
      const [stored] = await roles(db());
      const [entry, ...more] = await ledgerOf(db(), "sentry.userrole");
      expect(more).toEqual([]);
      expect(entry).toMatchObject({
        minOrdinal: 1,
        maxOrdinal: 2,
        inserted: { "1": Number(stored?.id) },
        existing: { "3": Number(stored?.id) },
        overwrite: {},
      });
      const assigned = await rowsOf<{ role_id: string }>(
        db(),
        "SELECT role_id::text FROM sentry_userrole_users",
      );
      expect(assigned.map((a) => a.role_id)).toEqual([stored?.id, stored?.id]);
    },
  );

  it("a second role row with the name of an earlier one in the same file maps to it", async () => {
    await importRows(db(), [
      role(1, "Super Admin", ["users.admin"]),
      role(3, "Super Admin", ["other.admin"]),
    ]);
    const [stored] = await roles(db());
    expect(await roles(db())).toEqual([
      { id: stored?.id, name: "Super Admin", permissions: ["users.admin"] },
    ]);
    const [entry] = await ledgerOf(db(), "sentry.userrole");
    expect(entry).toMatchObject({
      inserted: { "1": Number(stored?.id) },
      existing: { "3": Number(stored?.id) },
    });
  });

  it.skipIf(NO_SHARED)(
    "a UserRoleUser whose role pk is not in the file (user-with-roles-no-superadmin.json alone) is skipped without error",
    async () => {
      const report = await importRows(
        db(),
        await readFixtureRows("user-with-roles-no-superadmin.json"),
      );
      expect(await count(db(), "sentry_userrole_users")).toBe(0);
      expect(await count(db(), "sentry_userrole")).toBe(1);
      expect(await ledgerOf(db(), "sentry.userroleuser")).toEqual([]);
      expect(report.summary.models).toContainEqual(
        expect.objectContaining({ model: "sentry.userroleuser", inserted: 0, skipped: 1 }),
      );
    },
  );

  it("a UserRoleUser whose role is missing from the file is skipped without error", async () => {
    await importRows(db(), [
      userRow(3, "roles_no_superadmin_user"),
      role(3, "Super Admin", ["users.admin"]),
      roleUser(3, 3, 1),
      roleUser(4, 3, 3),
    ]);
    const assigned = await rowsOf(db(), "SELECT role_id FROM sentry_userrole_users");
    expect(assigned).toHaveLength(1);
    const [entry] = await ledgerOf(db(), "sentry.userroleuser");
    expect(Object.keys(entry?.inserted ?? {})).toEqual(["4"]);
    expect(entry).toMatchObject({ minOrdinal: 1, maxOrdinal: 1, minSourcePk: 4 });
  });

  it("a colliding UserRole name with overwrite_configs takes the imported permissions, in the same order and length", async () => {
    await importRows(db(), [role(1, "Super Admin", ["other.admin"])]);
    const [before] = await roles(db());
    const imported = ["options.admin", "broadcasts.admin", "users.admin", "options.admin"];
    await importRows(db(), [role(1, "Super Admin", imported)], { overwriteConfigs: true });
    expect(await roles(db())).toEqual([
      { id: before?.id, name: "Super Admin", permissions: imported },
    ]);
    const dates = await rowsOf<{ date_updated: Date | string }>(
      db(),
      "SELECT date_updated FROM sentry_userrole",
    );
    expect(new Date(dates[0]?.date_updated ?? 0).toISOString()).toBe("2023-06-22T23:00:00.123Z");
  });

  it("a colliding UserRole name without overwrite_configs keeps the existing permissions", async () => {
    await importRows(db(), [role(1, "Super Admin", ["other.admin"])]);
    await importRows(db(), [role(1, "Super Admin", "['broadcasts.admin', 'users.admin']")]);
    expect((await roles(db())).map((r) => r.permissions)).toEqual([["other.admin"]]);
  });

  it("roles in the file are imported regardless of the user filter", async () => {
    await importRows(
      db(),
      [
        userRow(1, "kept"),
        userRow(2, "dropped"),
        role(1, "Super Admin", ["users.admin"]),
        role(2, "Support", []),
        roleUser(1, 1, 1),
        roleUser(2, 2, 2),
      ],
      { usernameFilter: ["kept"] },
    );
    expect((await roles(db())).map((r) => r.name)).toEqual(["Super Admin", "Support"]);
    expect(await count(db(), "sentry_userrole_users")).toBe(1);
    expect(await count(db(), "auth_user")).toBe(1);
  });

  it("role permissions are stored as arrays in the file's order, whatever their encoding", async () => {
    await importRows(db(), [
      role(1, "native", ["b.admin", "a.admin", "b.admin"]),
      role(2, "json-text", '["b.admin", "a.admin"]'),
      role(3, "python", "['b.admin', \"a.admin\",]"),
      role(4, "empty", "[]"),
    ]);
    expect((await roles(db())).map((r) => [r.name, r.permissions])).toEqual([
      ["native", ["b.admin", "a.admin", "b.admin"]],
      ["json-text", ["b.admin", "a.admin"]],
      ["python", ["b.admin", "a.admin"]],
      ["empty", []],
    ]);
  });

  it("a Config import inserts a UserPermission per user and permission, linked to the new user", async () => {
    await importRows(db(), [
      userRow(5, "perm-user"),
      row("sentry.userpermission", 8, { user: 5, permission: "users.admin" }),
      row("sentry.userpermission", 9, { user: 5, permission: "options.admin" }),
    ]);
    const rows = await rowsOf<{ permission: string; same: boolean }>(
      db(),
      `SELECT p.permission, p.user_id = u.id AS same FROM sentry_userpermission p, auth_user u
       ORDER BY p.id`,
    );
    expect(rows).toEqual([
      { permission: "users.admin", same: true },
      { permission: "options.admin", same: true },
    ]);
  });
});
