/**
 * import-semantics.md §18.8 (pk mapping and chunking), on both adapters: FKs rewritten through
 * the stored pk map, silent skips of rows whose target was not imported, and the ledger rows of
 * chunked runs.
 */
import type { Db } from "../../../lib/ports.ts";
import { expect, it } from "vitest";
import {
  count,
  engineSuite,
  importFixture,
  importRows,
  NO_SHARED,
  ledgerOf,
  NOW,
  row,
  rowsOf,
  storedForms,
  truncateAll,
  userRow,
  importSynthetic,
} from "../../support/engine.ts";
import type { RawRow } from "../../support/engine.ts";

/** n users with pks 101…, then n global user options with pks 1001…, option i for user i. */
function usersAndOptions(n: number): RawRow[] {
  const users = Array.from({ length: n }, (_, i) => userRow(101 + i, `user${String(101 + i)}`));
  const options = Array.from({ length: n }, (_, i) =>
    row("sentry.useroption", 1001 + i, {
      user: 101 + i,
      project_id: null,
      organization_id: null,
      key: "stacktrace_order",
      value: String(101 + i),
    }),
  );
  return [...users, ...options];
}

/** Moves every sequence past the file's pks, so "fresh ids" cannot coincide with them. */
async function advanceSequences(db: Db): Promise<void> {
  for (const table of [
    "auth_user",
    "sentry_email",
    "sentry_useremail",
    "sentry_userrole",
    "sentry_userrole_users",
  ]) {
    await db.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), 5000)`, [table]);
  }
}

engineSuite("§18.8 pk mapping and chunking", (db) => {
  it.skipIf(NO_SHARED)(
    "FKs are rewritten to the new ids: in user-pk-mapping.json email 34, user 12, useremail 56, role 78 and roleuser 90 land with fresh ids and consistent links",
    async () => {
      await advanceSequences(db());
      await importFixture(db(), "user-pk-mapping.json");
      const links = await rowsOf<Record<string, string | boolean>>(
        db(),
        `SELECT u.id::text AS user_id, e.id::text AS email_id, ue.id::text AS useremail_id,
           r.id::text AS role_id, ru.id::text AS roleuser_id,
           ue.user_id = u.id AND ru.user_id = u.id AND ru.role_id = r.id AND e.email = u.email
             AS consistent
         FROM auth_user u, sentry_email e, sentry_useremail ue, sentry_userrole r,
           sentry_userrole_users ru`,
      );
      expect(links).toHaveLength(1);
      const [link] = links;
      expect(link?.["consistent"]).toBe(true);
      for (const key of ["user_id", "email_id", "useremail_id", "role_id", "roleuser_id"]) {
        expect(Number(link?.[key])).toBeGreaterThan(5000);
      }
      const mapped = await rowsOf<{ model: string; old_pk: string; new_pk: string }>(
        db(),
        "SELECT model, old_pk::text, new_pk::text FROM sentry_import.pk_map ORDER BY model",
      );
      // the stored map holds the models FKs point at; the others are in the ledger maps
      expect(mapped).toEqual([
        { model: "sentry.user", old_pk: "12", new_pk: link?.["user_id"] },
        { model: "sentry.userrole", old_pk: "78", new_pk: link?.["role_id"] },
      ]);
      const ledgerMaps = await rowsOf<{ model: string; inserted_map: unknown }>(
        db(),
        `SELECT model, inserted_map FROM sentry_controlimportchunk
         UNION ALL SELECT model, inserted_map FROM sentry_regionimportchunk ORDER BY model`,
      );
      expect(ledgerMaps).toEqual([
        { model: "sentry.email", inserted_map: { "34": Number(link?.["email_id"]) } },
        { model: "sentry.user", inserted_map: { "12": Number(link?.["user_id"]) } },
        { model: "sentry.useremail", inserted_map: { "56": Number(link?.["useremail_id"]) } },
        { model: "sentry.userrole", inserted_map: { "78": Number(link?.["role_id"]) } },
        { model: "sentry.userroleuser", inserted_map: { "90": Number(link?.["roleuser_id"]) } },
      ]);
    },
  );

  it("FKs in later rows are rewritten to the new ids of earlier rows", async () => {
    await advanceSequences(db());
    await importRows(db(), [
      userRow(12, "mapped", { email: "mapped@example.com" }),
      row("sentry.userpermission", 3, { user: 12, permission: "users.admin" }),
      row("sentry.userrole", 78, { name: "Super Admin", permissions: [] }),
      row("sentry.userroleuser", 90, { user: 12, role: 78 }),
    ]);
    const rows = await rowsOf<{ ok: boolean }>(
      db(),
      `SELECT p.user_id = u.id AND ru.user_id = u.id AND ru.role_id = r.id AND u.id > 5000 AS ok
       FROM auth_user u, sentry_userpermission p, sentry_userrole r, sentry_userrole_users ru`,
    );
    expect(rows).toEqual([{ ok: true }]);
  });

  it("a row whose FK target was not imported (filtered out, out of scope, or missing) is skipped silently", async () => {
    const option = (pk: number, user: number, scope: Record<string, unknown> = {}) =>
      row("sentry.useroption", pk, {
        user,
        project_id: null,
        organization_id: null,
        key: "language",
        value: "en",
        ...scope,
      });
    const report = await importRows(
      db(),
      [
        row("sentry.organization", 1, { slug: "org", name: "Org" }),
        userRow(1, "kept"),
        userRow(2, "filtered"),
        row("sentry.userpermission", 1, { user: 2, permission: "users.admin" }),
        row("sentry.userpermission", 2, { user: 99, permission: "users.admin" }),
        row("sentry.userroleuser", 1, { user: 1, role: 42 }),
        option(1, 1),
        option(2, 2),
        option(3, 1, { organization_id: 1, key: "mail:alert" }),
        option(4, 1, { project_id: 7, key: "mail:alert" }),
        option(5, 77),
        row("sentry.apitoken", 1, { user: 1, application: 3, token: "t".repeat(32) }),
      ],
      { usernameFilter: ["kept"] },
    );
    expect(await count(db(), "auth_user")).toBe(1);
    expect(await count(db(), "sentry_userpermission")).toBe(0);
    expect(await count(db(), "sentry_userrole_users")).toBe(0);
    expect(await count(db(), "sentry_apitoken")).toBe(0);
    const options = await rowsOf(
      db(),
      "SELECT key, organization_id, project_id FROM sentry_useroption",
    );
    expect(options).toEqual([{ key: "language", organization_id: null, project_id: null }]);
    expect(report.unresolvedReferences).toEqual([]);
  });

  it("40 users and 40 user options at chunk size 20 give two ledger rows per model, 1–20 and 21–40, and an option of the second chunk points at the right user", async () => {
    await importRows(db(), usersAndOptions(40), { chunkSize: 20 });
    const spans = async (model: string) =>
      (await ledgerOf(db(), model)).map((e) => [
        e.minOrdinal,
        e.maxOrdinal,
        e.minSourcePk,
        e.maxSourcePk,
      ]);
    expect(await spans("sentry.user")).toEqual([
      [1, 20, 101, 120],
      [21, 40, 121, 140],
    ]);
    expect(await spans("sentry.useroption")).toEqual([
      [1, 20, 1001, 1020],
      [21, 40, 1021, 1040],
    ]);
    const wrong = await rowsOf(
      db(),
      `SELECT o.value FROM sentry_useroption o JOIN auth_user u ON u.id = o.user_id
       WHERE u.username <> 'user' || (o.value #>> '{}')`,
    );
    expect(wrong).toEqual([]);
    expect(await count(db(), "sentry_useroption")).toBe(40);
    const [user140] = await rowsOf<{ id: string }>(
      db(),
      "SELECT id::text AS id FROM auth_user WHERE username = 'user140'",
    );
    const [second] = (await ledgerOf(db(), "sentry.useroption")).slice(1);
    const [option1040] = await rowsOf<{ user_id: string }>(
      db(),
      "SELECT user_id::text FROM sentry_useroption WHERE id = $1",
      [second?.inserted["1040"]],
    );
    expect(option1040?.user_id).toBe(user140?.id);
  });

  it("21 users and 21 user options give two ledger rows per model: 1–20 and 21–21 (source pk 121 / 1021)", async () => {
    await importRows(db(), usersAndOptions(21), { chunkSize: 20 });
    const users = await ledgerOf(db(), "sentry.user");
    const options = await ledgerOf(db(), "sentry.useroption");
    expect(users.map((e) => [e.minOrdinal, e.maxOrdinal])).toEqual([
      [1, 20],
      [21, 21],
    ]);
    expect(options.map((e) => [e.minOrdinal, e.maxOrdinal])).toEqual([
      [1, 20],
      [21, 21],
    ]);
    expect([users[1]?.minSourcePk, users[1]?.maxSourcePk]).toEqual([121, 121]);
    expect([options[1]?.minSourcePk, options[1]?.maxSourcePk]).toEqual([1021, 1021]);
    expect(Object.keys(options[1]?.inserted ?? {})).toEqual(["1021"]);
  });

  it("a chunk's ledger row records only the rows it wrote, while its ordinals count every row of the run", async () => {
    const file = usersAndOptions(25);
    // options 1003 and 1022 point at users that are not in the file
    const broken = file.map((r) =>
      r.pk === 1003 || r.pk === 1022 ? row(r.model, r.pk, { ...r.fields, user: 999 }) : r,
    );
    await importRows(db(), broken, { chunkSize: 20, now: NOW });
    const options = await ledgerOf(db(), "sentry.useroption");
    expect(options.map((e) => [e.minOrdinal, e.maxOrdinal, e.minSourcePk, e.maxSourcePk])).toEqual([
      [1, 19, 1001, 1020],
      [21, 24, 1021, 1025],
    ]);
  });

  it("what an import stores does not depend on the chunk size, duplicates within a run included", async () => {
    const option = (pk: number, key: string, value: string) =>
      row("sentry.option", pk, { key, value, last_updated: NOW });
    const userOption = (pk: number, user: number, key: string) =>
      row("sentry.useroption", pk, {
        user,
        project_id: null,
        organization_id: null,
        key,
        value: String(pk),
      });
    const file: RawRow[] = [
      option(1, "a", "1"),
      option(2, "b", "2"),
      option(3, "a", "3"),
      row("sentry.relay", 1, { relay_id: "r", public_key: "p1" }),
      row("sentry.relay", 2, { relay_id: "r", public_key: "p2" }),
      userRow(1, "one", { email: "Shared@example.com" }),
      userRow(2, "two", { email: "shared@EXAMPLE.com" }),
      userRow(3, "three", { email: "three@example.com" }),
      row("sentry.userpermission", 1, { user: 1, permission: "users.admin" }),
      row("sentry.userrole", 1, { name: "Admin", permissions: ["a"] }),
      row("sentry.userrole", 2, { name: "Admin", permissions: ["b"] }),
      row("sentry.userrole", 3, { name: "Other", permissions: [] }),
      row("sentry.userroleuser", 1, { user: 1, role: 1 }),
      row("sentry.userroleuser", 2, { user: 1, role: 2 }),
      row("sentry.userroleuser", 3, { user: 2, role: 3 }),
      row("sentry.email", 1, { email: "SHARED@example.com", date_added: NOW }),
      row("sentry.email", 2, { email: "shared@example.COM", date_added: "2023-01-01T00:00:00Z" }),
      userOption(1, 1, "stacktrace_order"),
      userOption(2, 1, "stacktrace_order"),
      userOption(3, 2, "stacktrace_order"),
      userOption(4, 1, "clock_24_hours"),
      row("sentry.useremail", 1, { user: 3, email: "three@example.com" }),
      row("sentry.useremail", 2, { user: 3, email: "other@example.com" }),
      row("sentry.useremail", 3, { user: 3, email: "OTHER@example.com" }),
    ];
    const results = [];
    for (const chunkSize of [1, 2, 3, 20]) {
      await truncateAll(db());
      await importRows(db(), file, { chunkSize });
      results.push(await storedForms(db()));
      await truncateAll(db());
      await importRows(db(), file, { chunkSize, overwriteConfigs: true });
      results.push(await storedForms(db()));
    }
    for (const [i, result] of results.entries()) {
      expect(result).toEqual(results[i % 2]);
    }
    expect(results[0]?.["sentry_option"]).toHaveLength(2);
    expect(results[1]?.["sentry_userrole"]).toEqual([
      expect.stringContaining('"Admin","permissions":["b"]'),
      expect.stringContaining('"Other"'),
    ]);
  });

  it("a synthetic export stores the same rows at chunk sizes 1 and 1,000", async () => {
    const options = {
      seed: "chunk sizes",
      users: 12,
      legacy: "mixed",
      tokenFraction: 0.5,
    } as const;
    await importSynthetic(db(), options, { chunkSize: 1 });
    const small = await storedForms(db());
    await truncateAll(db());
    await importSynthetic(db(), options, { chunkSize: 1000 });
    expect(await storedForms(db())).toEqual(small);
  });
});
