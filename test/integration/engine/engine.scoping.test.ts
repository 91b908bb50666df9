/**
 * import-semantics.md §18.1 (scoping) for the User and Config scopes, on both adapters.
 *
 * Out of scope for these suites (Global or Organization scope only, which sentry-import does not
 * implement), so deliberately without tests:
 * - §18.1: a Global import first deletes every row and resets the sequences; an empty Global
 *   import leaves all tables empty; an Organization import writes no config rows;
 * - §18.2: a Global import keeps users claimed and creates no LostPasswordHash;
 * - §18.3: Global keeps is_verified / validation_hash / date_hash_added;
 * - §18.9: the per-chunk importer's idempotency (the at-least-once suites own it);
 * - §18.10: invalid UserIP (Global), the wrong silo and the control-silo refusal (one database);
 * - §18.12: every Global-scope extra (authenticators, UserIP, saved searches, project ids).
 */
import { expect, it } from "vitest";
import { CONFIG_MODELS, expectedConfigImportCounts } from "../../support/synthetic/index.ts";
import type { SyntheticExportOptions } from "../../support/synthetic/index.ts";
import {
  count,
  engineSuite,
  importRows,
  importSynthetic,
  ledger,
  newImportUuid,
  rowsOf,
  tableCounts,
  WRITTEN_TABLES,
} from "../../support/engine.ts";

/** Every kind of row, in scope or not, with enough users that every model has rows. */
const EVERYTHING: SyntheticExportOptions = {
  seed: "engine scoping",
  users: 40,
  options: 8,
  legacy: "mixed",
  outOfScope: true,
  staffFraction: 0.2,
  superuserFraction: 0.1,
  permissionFraction: 0.3,
  roleAssignmentFraction: 0.3,
  tokenFraction: 0.5,
  authorizationFraction: 0.4,
  userOptionFraction: 0.5,
};

const REGION_MODELS = ["sentry.option", "sentry.relay", "sentry.relayusage"];

/** Tables a Sentry database has for models a Config import must never write. */
const OUT_OF_SCOPE_TABLES = [
  "sentry_organization",
  "sentry_project",
  "auth_authenticator",
  "sentry_apiapplication",
] as const;

engineSuite("§18.1 scoping", (db) => {
  it("a Config import writes rows for every in-scope model and zero rows for every other model in the file", async () => {
    for (const table of OUT_OF_SCOPE_TABLES) {
      await db().query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, payload text)`);
    }
    const report = await importSynthetic(db(), EVERYTHING);

    const counts = await tableCounts(db());
    expect(WRITTEN_TABLES.filter((table) => counts[table] === 0)).toEqual([]);
    expect(counts).toEqual(expectedConfigImportCounts(EVERYTHING));
    for (const table of OUT_OF_SCOPE_TABLES) {
      expect([table, await count(db(), table)]).toEqual([table, 0]);
    }
    const skipped = report.summary.skippedModels.map((s) => s.model);
    expect(skipped).toEqual(
      expect.arrayContaining([
        "sites.site",
        "sentry.organization",
        "sentry.project",
        "sentry.authenticator",
        "sentry.apiapplication",
      ]),
    );
    const recorded = await rowsOf<{ model: string }>(
      db(),
      `SELECT model FROM sentry_controlimportchunk
       UNION SELECT model FROM sentry_regionimportchunk ORDER BY model`,
    );
    expect(recorded.map((r) => r.model)).toEqual([...CONFIG_MODELS].sort());
    // the stored pk map holds only what FK rewriting looks up
    const mapped = await rowsOf<{ model: string }>(
      db(),
      "SELECT DISTINCT model FROM sentry_import.pk_map ORDER BY model",
    );
    expect(mapped.map((r) => r.model)).toEqual(["sentry.user", "sentry.userrole"]);
  });

  it("every model that received rows gets ledger bookkeeping: one region row per chunk, and control rows mirrored in the replica table", async () => {
    await importSynthetic(db(), EVERYTHING, { chunkSize: 3 });
    const region = await ledger(db(), "sentry_regionimportchunk");
    const control = await ledger(db(), "sentry_controlimportchunk");
    const replica = await ledger(db(), "sentry_controlimportchunkreplica");

    expect(new Set(region.map((e) => e.model))).toEqual(new Set(REGION_MODELS));
    expect(new Set(control.map((e) => e.model))).toEqual(
      new Set(CONFIG_MODELS.filter((m) => !REGION_MODELS.includes(m))),
    );
    expect(replica).toEqual(control);
    // config models are never skipped, so each region run has one ledger row per 3-row chunk
    const option = region.filter((e) => e.model === "sentry.option");
    expect(option.map((e) => e.minOrdinal)).toEqual([1, 4, 7]);
    expect(option.map((e) => e.maxOrdinal)).toEqual([3, 6, 8]);
    expect(region.filter((e) => e.model === "sentry.relay")).toHaveLength(1);
  });

  it("all ledger rows of one import share its single import_uuid", async () => {
    const uuid = newImportUuid();
    await importSynthetic(db(), EVERYTHING, { importUuid: uuid });
    const uuids = await rowsOf<{ u: string }>(
      db(),
      `SELECT import_uuid::text AS u FROM sentry_regionimportchunk
       UNION SELECT import_uuid::text FROM sentry_controlimportchunk
       UNION SELECT import_uuid::text FROM sentry_controlimportchunkreplica`,
    );
    expect(uuids.map((r) => r.u)).toEqual([uuid]);
  });

  it("a User import writes no UserPermission, UserRole, UserRoleUser, Option or Relay rows", async () => {
    await importSynthetic(db(), EVERYTHING, { scope: "User" });
    const counts = await tableCounts(db());
    expect(counts.auth_user).toBe(EVERYTHING.users);
    expect(counts.sentry_useremail).toBeGreaterThan(0);
    expect(counts.sentry_useroption).toBeGreaterThan(0);
    expect(counts).toMatchObject({
      sentry_userpermission: 0,
      sentry_userrole: 0,
      sentry_userrole_users: 0,
      sentry_option: 0,
      sentry_controloption: 0,
      sentry_relay: 0,
      sentry_relayusage: 0,
      sentry_apitoken: 0,
      sentry_apiauthorization: 0,
    });
    expect(await count(db(), "sentry_regionimportchunk")).toBe(0);
  });

  it.each(["Config", "User"] as const)(
    "importing an empty file in %s scope leaves all existing data untouched",
    async (scope) => {
      await importSynthetic(db(), EVERYTHING);
      const before = await tableCounts(db());
      const ledgerBefore = await count(db(), "sentry_controlimportchunk");
      const users = await rowsOf(db(), "SELECT * FROM auth_user ORDER BY id");

      const report = await importRows(db(), [], { scope });

      expect(report.plan.runs).toEqual([]);
      expect(await tableCounts(db())).toEqual(before);
      expect(await count(db(), "sentry_controlimportchunk")).toBe(ledgerBefore);
      expect(await rowsOf(db(), "SELECT * FROM auth_user ORDER BY id")).toEqual(users);
    },
  );
});
