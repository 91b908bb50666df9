import { describe, expect, it } from "vitest";
import {
  expectedConfigImportCounts,
  expectedCounts,
  generateExportText,
  type ModelCounts,
  type SyntheticExportOptions,
  type TableCounts,
} from "../../support/synthetic/index.ts";
import { n, parseExport, s, type Row } from "./parse.ts";

/**
 * An independent oracle: what a Config import into an empty database keeps, computed from the
 * parsed rows alone (import-semantics.md §9), not from the generator's plans.
 */
function configImportOracle(rows: readonly Row[]): TableCounts {
  const of = (model: string): Row[] => rows.filter((r) => r.model === model);
  const users = of("sentry.user");
  const userPks = new Set(users.map((u) => u.pk));
  const rolePks = new Set(of("sentry.userrole").map((r) => r.pk));
  const hasUser = (r: Row): boolean => userPks.has(n(r, "user"));
  const distinct = (list: readonly string[]): number => new Set(list).size;

  const userEmails = new Set(users.map((u) => `${u.pk} ${s(u, "email")}`));
  const addresses = new Set(users.map((u) => s(u, "email").toLowerCase()));
  for (const ue of of("sentry.useremail").filter(hasUser)) {
    userEmails.add(`${n(ue, "user")} ${s(ue, "email")}`);
    addresses.add(s(ue, "email").toLowerCase());
  }
  for (const e of of("sentry.email")) {
    addresses.add(s(e, "email").toLowerCase());
  }
  const personal = (r: Row, orgField: string): boolean =>
    hasUser(r) && r.fields["application"] === null && r.fields[orgField] === null;

  return {
    auth_user: users.length,
    sentry_lostpasswordhash: users.length,
    sentry_email: addresses.size,
    sentry_useremail: userEmails.size,
    sentry_useroption: distinct(
      of("sentry.useroption")
        .filter(
          (r) =>
            hasUser(r) && r.fields["organization_id"] === null && r.fields["project_id"] === null,
        )
        .map((r) => `${n(r, "user")} ${s(r, "key")}`),
    ),
    sentry_userpermission: distinct(
      of("sentry.userpermission")
        .filter(hasUser)
        .map((r) => `${n(r, "user")} ${s(r, "permission")}`),
    ),
    sentry_userrole: distinct(of("sentry.userrole").map((r) => s(r, "name"))),
    sentry_userrole_users: distinct(
      of("sentry.userroleuser")
        .filter((r) => hasUser(r) && rolePks.has(n(r, "role")))
        .map((r) => `${n(r, "user")} ${n(r, "role")}`),
    ),
    sentry_option: distinct(of("sentry.option").map((r) => s(r, "key"))),
    sentry_controloption: distinct(of("sentry.controloption").map((r) => s(r, "key"))),
    sentry_relay: distinct(of("sentry.relay").map((r) => s(r, "relay_id"))),
    sentry_relayusage: distinct(
      of("sentry.relayusage").map((r) => `${s(r, "relay_id")} ${s(r, "version")}`),
    ),
    sentry_apitoken: of("sentry.apitoken").filter((r) => personal(r, "scoping_organization_id"))
      .length,
    sentry_apiauthorization: of("sentry.apiauthorization").filter((r) =>
      personal(r, "organization_id"),
    ).length,
  };
}

const SCENARIOS: readonly (readonly [string, SyntheticExportOptions])[] = [
  ["defaults", { seed: 1, users: 300 }],
  [
    "everything",
    { seed: "all", users: 500, outOfScope: true, danglingReferences: true, legacy: true },
  ],
  [
    "heavy sharing and tokens",
    {
      seed: 7,
      users: 400,
      sharedEmailFraction: 0.6,
      caseVariantFraction: 0.8,
      secondaryEmailFraction: 0.7,
      tokenFraction: 0.5,
      authorizationFraction: 0.5,
      roles: 6,
      roleAssignmentFraction: 0.4,
      outOfScope: true,
    },
  ],
  ["mixed legacy rows", { seed: 8, users: 200, legacy: "mixed", outOfScope: true }],
  ["no users", { seed: 2, users: 0, options: 3, relays: 1, roles: 1 }],
  ["nothing at all", { seed: 2, users: 0, options: 0, controlOptions: 0, relays: 0, roles: 0 }],
];

describe("expected counts", () => {
  it.each(SCENARIOS)("match what the file holds (%s)", (_name, options) => {
    const tally: ModelCounts = {};
    const text = generateExportText(options, tally);
    const rows = JSON.parse(text) as Row[];
    const byModel: ModelCounts = {};
    for (const row of rows) {
      byModel[row.model as keyof ModelCounts] = (byModel[row.model as keyof ModelCounts] ?? 0) + 1;
    }
    expect(tally).toEqual(byModel);
    expect(expectedCounts(options).file).toEqual(byModel);
  });

  it.each(SCENARIOS)("match an independent Config-import oracle (%s)", (_name, options) => {
    const { rows } = parseExport(options);
    expect(expectedConfigImportCounts(options)).toEqual(configImportOracle(rows));
  });

  it("counts addresses shared in other letter case once", () => {
    const options: SyntheticExportOptions = {
      seed: 11,
      users: 300,
      sharedEmailFraction: 0.5,
      secondaryEmailFraction: 0,
      sentryAppFraction: 0,
    };
    const counts = expectedConfigImportCounts(options);
    expect(counts.sentry_email).toBeLessThan(counts.auth_user);
    expect(counts.sentry_useremail).toBe(counts.auth_user);
  });

  it("excludes org- and project-scoped user options and non-personal tokens", () => {
    const options: SyntheticExportOptions = { seed: 12, users: 300, outOfScope: true };
    const { file, tables } = expectedCounts(options);
    expect(tables.sentry_useroption).toBeLessThan(file["sentry.useroption"] ?? 0);
    expect(tables.sentry_apitoken).toBeLessThan(file["sentry.apitoken"] ?? 0);
    expect(tables.sentry_apiauthorization).toBeLessThan(file["sentry.apiauthorization"] ?? 0);
  });
});
