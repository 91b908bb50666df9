/**
 * import-semantics.md §18.14: the expected results of a Config import of Sentry's fixtures into
 * an empty database with default flags, on both adapters; and every fixture of
 * ../shared/fixtures/sentry/ (and variants/*) imports, or is refused, as the reference says.
 * The encrypted golden vectors of the same fixtures are in engine.decryption.test.ts.
 */
import { readdirSync } from "node:fs";
import { expect, it } from "vitest";
import type { Db } from "../../../lib/ports.ts";
import { sharedPath } from "../../support/shared.ts";
import {
  count,
  engineSuite,
  importFixture,
  importRows,
  ledgerSpans,
  NO_SHARED,
  rowsOf,
  tableCounts,
  tmpUsersComposite,
} from "../../support/engine.ts";
import { expectFreshInstall, expectMaximumPrivileges } from "./fixtureExpectations.ts";

/** Fixtures a Config import refuses, with the kind (§18.2: a user without a username). */
const REFUSED: Readonly<Record<string, string>> = {
  "invalid-user.json": "ValidationError",
};

function allFixtures(): string[] {
  if (NO_SHARED) {
    return ["(../shared absent)"];
  }
  const top = readdirSync(sharedPath("sentry")).filter((n) => n.endsWith(".json"));
  const variants = readdirSync(sharedPath("sentry", "variants")).flatMap((commit) =>
    readdirSync(sharedPath("sentry", "variants", commit)).map((n) => `variants/${commit}/${n}`),
  );
  return [...top, ...variants].sort();
}

function baseName(name: string): string {
  return name.split("/").at(-1) ?? name;
}

async function countIfTable(db: Db, table: string): Promise<number> {
  const [exists] = await rowsOf<{ t: string | null }>(db, "SELECT to_regclass($1)::text AS t", [
    table,
  ]);
  return exists?.t === null || exists?.t === undefined ? 0 : count(db, table);
}

engineSuite("§18.14 fixture expectations", (db) => {
  it.skipIf(NO_SHARED)(
    "fresh-install.json: 3 unclaimed admins with replaced passwords, unverified emails, 4 options, a relay, the Super Admin role with 2 assignments, and the listed ledger rows",
    async () => {
      await importFixture(db(), "fresh-install.json");
      await expectFreshInstall(db());
      expect(await countIfTable(db(), "auth_authenticator")).toBe(0);
      expect(await countIfTable(db(), "sentry_organization")).toBe(0);
    },
  );

  it.skipIf(NO_SHARED)(
    "user-with-maximum-privileges.json: max_user unclaimed with staff and superuser kept, its Email found Existing with the file's date_added, the decoded timezone, permission, role and assignment, and seven control ledger rows",
    async () => {
      const report = await importFixture(db(), "user-with-maximum-privileges.json");
      await expectMaximumPrivileges(db());
      expect(report.summary.skippedModels.map((s) => s.model).sort()).toEqual([
        "sentry.authenticator",
        "sentry.userip",
      ]);
    },
  );

  it.skipIf(NO_SHARED)(
    "the tmp-users composite: 4 unclaimed users (1 managed, 2 staff, 2 superusers, 2 without admin flags), 4 LostPasswordHashes, 4 unverified UserEmails with regenerated hashes, 2 Emails, 2 UserPermissions, 1 UserRole and 2 UserRoleUsers",
    async () => {
      const rows = await tmpUsersComposite();
      await importRows(db(), rows);
      const counts = await tableCounts(db());
      expect(counts).toMatchObject({
        auth_user: 4,
        sentry_lostpasswordhash: 4,
        sentry_useremail: 4,
        sentry_email: 2,
        sentry_userpermission: 2,
        sentry_userrole: 1,
        sentry_userrole_users: 2,
      });
      const flags = await rowsOf<Record<string, string>>(
        db(),
        `SELECT count(*) FILTER (WHERE is_unclaimed)::text AS unclaimed,
           count(*) FILTER (WHERE is_managed)::text AS managed,
           count(*) FILTER (WHERE is_staff)::text AS staff,
           count(*) FILTER (WHERE is_superuser)::text AS superusers,
           count(*) FILTER (WHERE NOT (is_staff OR is_superuser OR is_managed))::text AS plain
         FROM auth_user`,
      );
      expect(flags).toEqual([
        { unclaimed: "4", managed: "1", staff: "2", superusers: "2", plain: "2" },
      ]);
      const imported = new Set(
        rows.filter((r) => r.model === "sentry.useremail").map((r) => r.fields["validation_hash"]),
      );
      const emails = await rowsOf<{ validation_hash: string; is_verified: boolean }>(
        db(),
        "SELECT validation_hash, is_verified FROM sentry_useremail",
      );
      for (const e of emails) {
        expect(e.is_verified).toBe(false);
        expect(imported.has(e.validation_hash)).toBe(false);
        expect(e.validation_hash).toMatch(/^[A-Za-z0-9]{32}$/);
      }
      expect(await countIfTable(db(), "auth_authenticator")).toBe(0);
    },
  );

  it.skipIf(NO_SHARED).each(["org-and-project.json", "single-integration.json"])(
    "%s: a Config import writes nothing and no ledger rows",
    async (name) => {
      const report = await importFixture(db(), name);
      expect(Object.values(await tableCounts(db())).every((n) => n === 0)).toBe(true);
      expect(await ledgerSpans(db(), "sentry_regionimportchunk")).toEqual([]);
      expect(await ledgerSpans(db(), "sentry_controlimportchunk")).toEqual([]);
      expect(await ledgerSpans(db(), "sentry_controlimportchunkreplica")).toEqual([]);
      expect(report.plan.runs).toEqual([]);
      expect(report.summary.skippedModels.length).toBeGreaterThan(0);
    },
  );

  it.skipIf(NO_SHARED)(
    "datetime-with-zeroed-millis.json: sites.site is skipped and 1 option is imported",
    async () => {
      const report = await importFixture(db(), "datetime-with-zeroed-millis.json");
      const counts = await tableCounts(db());
      expect(Object.entries(counts).filter(([, n]) => n > 0)).toEqual([["sentry_option", 1]]);
      expect(report.summary.skippedModels).toEqual([
        expect.objectContaining({ model: "sites.site", rows: 1 }),
      ]);
      expect(await ledgerSpans(db(), "sentry_regionimportchunk")).toEqual([
        ["sentry.option", 1, 1],
      ]);
    },
  );

  it.skipIf(NO_SHARED)(
    "duplicate-username-and-organization-slug.json: the second user of the same username gets a suffix, and both keep the shared address",
    async () => {
      await importFixture(db(), "duplicate-username-and-organization-slug.json");
      const users = await rowsOf<{ username: string; email: string }>(
        db(),
        "SELECT username, email FROM auth_user ORDER BY id",
      );
      expect(users[0]).toEqual({ username: "testing@example.com", email: "testing@example.com" });
      expect(users[1]?.username).toMatch(/^testing@example\.com-[a-z0-9]+$/);
      expect(users[1]?.email).toBe("testing@example.com");
      expect(await count(db(), "sentry_useremail")).toBe(2);
      expect(await count(db(), "sentry_email")).toBe(1);
    },
  );

  it.skipIf(NO_SHARED)(
    "app-user-with-empty-email.json: the app user and its empty address import, with one Email row for the empty address",
    async () => {
      await importFixture(db(), "app-user-with-empty-email.json");
      expect(await tableCounts(db())).toMatchObject({
        auth_user: 1,
        sentry_useremail: 1,
        sentry_email: 1,
        sentry_lostpasswordhash: 1,
      });
      expect(await count(db(), "sentry_email", "email = ''")).toBe(1);
    },
  );

  it.each(allFixtures())("%s imports, or is refused, as the reference says", async (name) => {
    if (NO_SHARED) {
      return;
    }
    const outcome = await importFixture(db(), name).then(
      () => null,
      (e: unknown) => (e as { code?: string }).code ?? String(e),
    );
    expect(outcome).toBe(REFUSED[baseName(name)] ?? null);
    // a refused file leaves nothing behind
    const written = Object.values(await tableCounts(db())).some((n) => n > 0);
    expect(outcome === null || !written).toBe(true);
  });
});
