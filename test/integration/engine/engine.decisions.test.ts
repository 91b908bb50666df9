/**
 * import-semantics.md §18.13, the project's decisions (a)–(h) of §1, on both adapters. Decision
 * (e)'s pbkdf2 mode is verified with an injected secret in engine.passwords.test.ts.
 */
import { readdirSync } from "node:fs";
import { expect, it } from "vitest";
import type { Db } from "../../../lib/ports.ts";
import { generateExportText } from "../../support/synthetic/index.ts";
import { sharedPath } from "../../support/shared.ts";
import {
  count,
  engineSuite,
  importFixture,
  importRows,
  importSource,
  importSynthetic,
  ledgerOf,
  newImportUuid,
  NO_SHARED,
  NOW,
  readFixtureRows,
  row,
  rowsOf,
  storedForms,
  tableCounts,
  truncateAll,
  userRow,
} from "../../support/engine.ts";
import { bufferSource } from "../../../lib/format/index.ts";

/** Every `variants/<commit>/<name>` with its current-format `<name>`. */
function variantPairs(): [variant: string, current: string][] {
  if (NO_SHARED) {
    return [["(../shared absent)", "(../shared absent)"]];
  }
  const root = sharedPath("sentry", "variants");
  return readdirSync(root).flatMap((commit) =>
    readdirSync(`${root}/${commit}`).map((name): [string, string] => [
      `variants/${commit}/${name}`,
      name,
    ]),
  );
}

async function roleUsers(db: Db) {
  return rowsOf<{ username: string; name: string }>(
    db,
    `SELECT u.username, r.name FROM sentry_userrole_users x
     JOIN auth_user u ON u.id = x.user_id JOIN sentry_userrole r ON r.id = x.role_id`,
  );
}

engineSuite("§18.13 project decisions", (db) => {
  it.skipIf(NO_SHARED)(
    "(a) user-with-maximum-privileges.json (legacy encodings) imports to the stored forms of its current-format siblings: a 3-element permission list and the timezone Europe/Vienna without quotes",
    async () => {
      await importFixture(db(), "user-with-maximum-privileges.json");
      const legacy = await rowsOf<{ permissions: string[]; timezone: string }>(
        db(),
        `SELECT r.permissions, o.value AS timezone FROM sentry_userrole r, sentry_useroption o`,
      );
      expect(legacy).toEqual([
        {
          permissions: ["broadcasts.admin", "users.admin", "options.admin"],
          timezone: "Europe/Vienna",
        },
      ]);

      await truncateAll(db());
      await importFixture(db(), "user-with-roles-no-superadmin.json");
      const current = await rowsOf<{ permissions: string[]; timezone: string }>(
        db(),
        `SELECT r.permissions, o.value AS timezone FROM sentry_userrole r, sentry_useroption o`,
      );
      expect(current).toEqual(legacy);
    },
  );

  it.each(variantPairs())(
    "(a) %s and the current %s give equal stored results",
    async (variant, current) => {
      if (NO_SHARED) {
        return;
      }
      const outcome = async (name: string) => {
        await truncateAll(db());
        const failure = await importFixture(db(), name).then(
          () => null,
          (e: unknown) => e,
        );
        const forms = await storedForms(db());
        // a variant's sentry.email rows carry their own date_added; a current file has none
        forms["sentry_email"] = (forms["sentry_email"] ?? []).map(
          (r) => (JSON.parse(r) as { email: string }).email,
        );
        return { failure: (failure as { code?: string } | null)?.code ?? null, forms };
      };
      expect(await outcome(variant)).toEqual(await outcome(current));
    },
  );

  it("(a) a synthetic export in legacy encodings stores exactly what its current-format twin stores", async () => {
    const options = { seed: "decision a", users: 30, emailRows: true } as const;
    await importSynthetic(db(), { ...options, legacy: true });
    const legacy = await storedForms(db());
    await truncateAll(db());
    await importSynthetic(db(), { ...options, legacy: false });
    expect(await storedForms(db())).toEqual(legacy);
  });

  it("(b) importing Owner when owner exists inserts a suffixed user without merge_users, and maps to the existing user with it; never a ValidationError", async () => {
    await importRows(db(), [userRow(1, "owner")]);
    const [existing] = await rowsOf<{ id: string }>(db(), "SELECT id::text AS id FROM auth_user");

    await importRows(db(), [userRow(1, "Owner")]);
    const names = await rowsOf<{ username: string }>(
      db(),
      "SELECT username FROM auth_user ORDER BY id",
    );
    expect(names[1]?.username).toMatch(/^Owner-[a-z0-9]+$/);

    const uuid = newImportUuid();
    await importRows(db(), [userRow(1, "Owner")], { mergeUsers: true, importUuid: uuid });
    expect(await count(db(), "auth_user")).toBe(2);
    const entries = (await ledgerOf(db(), "sentry.user")).filter((e) => e.importUuid === uuid);
    expect(entries.map((e) => [e.inserted, e.existing])).toEqual([
      [{}, { "1": Number(existing?.id) }],
    ]);
  });

  it("(c) a file with sentry.option rows at positions 1–2 and 5–5, separated by another model, is rejected before any write, naming the model and both runs", async () => {
    const option = (pk: number) =>
      row("sentry.option", pk, { key: `k${String(pk)}`, value: "v", last_updated: NOW });
    const relay = (pk: number) =>
      row("sentry.relay", pk, { relay_id: `r${String(pk)}`, public_key: "p" });
    const failure = await importRows(db(), [
      option(1),
      option(2),
      relay(1),
      relay(2),
      option(3),
    ]).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: "NonContiguousModelRun",
      on: { model: "sentry.option", position: 5 },
    });
    const message = (failure as Error).message;
    expect(message).toContain("sentry.option");
    expect(message).toMatch(/1[–-]2/);
    expect(message).toMatch(/5[–-]5/);
    expect(Object.values(await tableCounts(db())).every((n) => n === 0)).toBe(true);
    expect(await count(db(), "sentry_regionimportchunk")).toBe(0);
  });

  it("(d) an import writes no sentry_controloutbox rows", async () => {
    await db().query(`CREATE TABLE IF NOT EXISTS sentry_controloutbox (
      id bigserial PRIMARY KEY, shard_scope integer, shard_identifier bigint, category integer,
      object_identifier bigint, payload jsonb, scheduled_from timestamptz, scheduled_for timestamptz)`);
    const statements: string[] = [];
    await importSynthetic(
      db(),
      { seed: "decision d", users: 20, permissionFraction: 0.5, roleAssignmentFraction: 0.5 },
      {
        chunkOptions: {
          beforeStatement: (_index, sql) => {
            statements.push(sql);
          },
        },
      },
    );
    expect(await count(db(), "auth_user")).toBe(20);
    expect(await count(db(), "sentry_controloutbox")).toBe(0);
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((sql) => /outbox/i.test(sql))).toEqual([]);
  });

  it("(e) by default an inserted user's password matches ^![A-Za-z0-9]{40}$", async () => {
    await importSynthetic(db(), { seed: "decision e", users: 25 });
    const passwords = await rowsOf<{ password: string }>(db(), "SELECT password FROM auth_user");
    expect(passwords).toHaveLength(25);
    for (const { password } of passwords) {
      expect(password).toMatch(/^![A-Za-z0-9]{40}$/);
    }
    expect(new Set(passwords.map((p) => p.password)).size).toBe(25);
  });

  it.skipIf(NO_SHARED)(
    "(f) 23.7.1.json: UserEmail, UserPermission, UserRoleUser and UserOption rows with natural-key user references resolve to the imported user",
    async () => {
      const report = await importFixture(db(), "23.7.1.json");
      expect(report.unresolvedReferences).toEqual([]);
      const owners = await rowsOf<{ t: string; username: string }>(
        db(),
        `SELECT 'useremail' AS t, u.username FROM sentry_useremail x JOIN auth_user u ON u.id = x.user_id
           WHERE x.email = 'user@example.com'
         UNION ALL SELECT 'userpermission', u.username FROM sentry_userpermission x
           JOIN auth_user u ON u.id = x.user_id
         UNION ALL SELECT 'userroleuser', u.username FROM sentry_userrole_users x
           JOIN auth_user u ON u.id = x.user_id
         UNION ALL SELECT 'useroption', u.username FROM sentry_useroption x
           JOIN auth_user u ON u.id = x.user_id
         ORDER BY 1`,
      );
      expect(owners).toEqual([
        { t: "useremail", username: "user@example.com" },
        { t: "useroption", username: "user@example.com" },
        { t: "userpermission", username: "user@example.com" },
        { t: "userroleuser", username: "user@example.com" },
      ]);
      expect(await count(db(), "sentry_useremail")).toBe(4);
    },
  );

  it.skipIf(NO_SHARED)(
    "(f) a 23.7.1.json row whose natural key matches no user row is skipped and listed in the report",
    async () => {
      const rows = await readFixtureRows("23.7.1.json");
      const edited = rows.map((r) =>
        r.model === "sentry.userpermission"
          ? row(r.model, r.pk, { ...r.fields, user: ["nobody@example.com"] })
          : r,
      );
      const report = await importRows(db(), edited);
      expect(await count(db(), "sentry_userpermission")).toBe(0);
      expect(await count(db(), "auth_user")).toBe(4);
      expect(report.unresolvedReferences).toEqual([
        expect.objectContaining({
          model: "sentry.userpermission",
          pk: 1,
          field: "user",
          key: "nobody@example.com",
        }),
      ]);
    },
  );

  it("(f) natural-key user references resolve by username, then by a unique email; an unmatched or ambiguous key skips its row and is reported", async () => {
    const option = (pk: number, user: unknown) =>
      row("sentry.useroption", pk, {
        user,
        project_id: null,
        organization_id: null,
        key: `k${String(pk)}`,
        value: "v",
      });
    const report = await importRows(db(), [
      userRow(1, "alice", { email: "alice@example.com" }),
      userRow(2, "bob", { email: "shared@example.com" }),
      userRow(3, "carol", { email: "shared@example.com" }),
      option(1, ["alice"]),
      option(2, ["alice@example.com"]),
      option(3, ["nobody"]),
      option(4, ["shared@example.com"]),
      row("sentry.userpermission", 1, { user: ["bob"], permission: "users.admin" }),
    ]);
    const options = await rowsOf<{ key: string; username: string }>(
      db(),
      `SELECT x.key, u.username FROM sentry_useroption x JOIN auth_user u ON u.id = x.user_id
       ORDER BY x.key`,
    );
    expect(options).toEqual([
      { key: "k1", username: "alice" },
      { key: "k2", username: "alice" },
    ]);
    expect(await count(db(), "sentry_userpermission")).toBe(1);
    expect(report.unresolvedReferences.map((u) => [u.model, u.pk, u.key])).toEqual([
      ["sentry.useroption", 3, "nobody"],
      ["sentry.useroption", 4, "shared@example.com"],
    ]);
  });

  it("(g) importing the same role assignment twice with merge_users leaves one sentry_userrole_users row; the second import records it as Existing", async () => {
    const file = [
      userRow(1, "admin"),
      row("sentry.userrole", 1, { name: "Super Admin", permissions: ["users.admin"] }),
      row("sentry.userroleuser", 1, { user: 1, role: 1 }),
    ];
    await importRows(db(), file, { mergeUsers: true });
    const [assignment] = await rowsOf<{ id: string }>(
      db(),
      "SELECT id::text AS id FROM sentry_userrole_users",
    );
    const second = newImportUuid();
    await importRows(db(), file, { mergeUsers: true, importUuid: second });
    expect(await roleUsers(db())).toEqual([{ username: "admin", name: "Super Admin" }]);
    const entries = (await ledgerOf(db(), "sentry.userroleuser")).filter(
      (e) => e.importUuid === second,
    );
    expect(entries.map((e) => [e.inserted, e.existing])).toEqual([
      [{}, { "1": Number(assignment?.id) }],
    ]);
  });

  it("(h) with chunk size 1,000 a run of 2,500 rows gives ledger rows at ordinals 1, 1001 and 2001, and re-running the same import writes nothing new", async () => {
    const rows = Array.from({ length: 2500 }, (_, i) =>
      row("sentry.option", i + 1, {
        key: `option-${String(i + 1)}`,
        value: i,
        last_updated: NOW,
      }),
    );
    const text = Buffer.from(JSON.stringify(rows));
    const uuid = newImportUuid();
    await importSource(db(), bufferSource(text), { chunkSize: 1000, importUuid: uuid });
    const entries = await ledgerOf(db(), "sentry.option");
    expect(entries.map((e) => [e.minOrdinal, e.maxOrdinal])).toEqual([
      [1, 1000],
      [1001, 2000],
      [2001, 2500],
    ]);
    const before = {
      options: await rowsOf(db(), "SELECT * FROM sentry_option ORDER BY id"),
      ledger: await rowsOf(db(), "SELECT * FROM sentry_regionimportchunk ORDER BY id"),
      pkMap: await count(db(), "sentry_import.pk_map"),
    };

    const again = await importSource(db(), bufferSource(text), {
      chunkSize: 1000,
      importUuid: uuid,
    });

    expect(again.summary.models).toEqual([
      expect.objectContaining({ model: "sentry.option", rows: 2500, inserted: 2500 }),
    ]);
    expect({
      options: await rowsOf(db(), "SELECT * FROM sentry_option ORDER BY id"),
      ledger: await rowsOf(db(), "SELECT * FROM sentry_regionimportchunk ORDER BY id"),
      pkMap: await count(db(), "sentry_import.pk_map"),
    }).toEqual(before);
  });
});

// a synthetic export is the oracle for (a): keep the generator's legacy switch honest
it("the synthetic legacy and current exports of one seed differ in their bytes", () => {
  const options = { seed: "decision a", users: 5, emailRows: true } as const;
  expect(generateExportText({ ...options, legacy: true })).not.toBe(
    generateExportText({ ...options, legacy: false }),
  );
});
