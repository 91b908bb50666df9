import { describe, expect, it } from "vitest";
import { n, parseExport, s, type Row } from "./parse.ts";

describe("synthetic export references", () => {
  const exp = parseExport({
    seed: "fk",
    users: 300,
    outOfScope: true,
    emailRows: true,
    pkBases: {
      "sentry.user": 12,
      "sentry.userrole": 78,
      "sentry.organization": 5,
      "sentry.project": 40,
      "sentry.apiapplication": 9,
    },
  });
  const pks = (model: string): Set<number> => new Set(exp.byModel(model).map((r) => r.pk));
  const users = pks("sentry.user");

  it("points every user FK at a user row of the file", () => {
    for (const model of [
      "sentry.userpermission",
      "sentry.userroleuser",
      "sentry.useroption",
      "sentry.useremail",
      "sentry.apitoken",
      "sentry.apiauthorization",
      "sentry.authenticator",
    ]) {
      const rows = exp.byModel(model);
      expect({ model, empty: rows.length === 0 }).toEqual({ model, empty: false });
      expect(rows.filter((r) => !users.has(n(r, "user")))).toEqual([]);
    }
  });

  it("points role assignments at role rows", () => {
    const roles = pks("sentry.userrole");
    for (const row of exp.byModel("sentry.userroleuser")) {
      expect(roles.has(n(row, "role"))).toBe(true);
    }
  });

  it("points org, project and application ids at the out-of-scope rows", () => {
    const orgs = pks("sentry.organization");
    const projects = pks("sentry.project");
    const apps = pks("sentry.apiapplication");
    const dangling = (model: string, field: string, targets: Set<number>): Row[] =>
      exp.byModel(model).filter((r) => {
        const value = r.fields[field];
        return value !== null && !targets.has(value as number);
      });
    const used = (model: string, field: string): number =>
      exp.byModel(model).filter((r) => r.fields[field] !== null).length;
    for (const [model, field, targets] of [
      ["sentry.useroption", "organization_id", orgs],
      ["sentry.useroption", "project_id", projects],
      ["sentry.apitoken", "application", apps],
      ["sentry.apitoken", "scoping_organization_id", orgs],
      ["sentry.apiauthorization", "application", apps],
      ["sentry.apiauthorization", "organization_id", orgs],
    ] as const) {
      expect(dangling(model, field, targets)).toEqual([]);
      expect({ model, field, used: used(model, field) > 0 }).toEqual({ model, field, used: true });
    }
  });

  it("gives every user a UserEmail for its primary address, and an Email row for each address", () => {
    const primaries = new Set(exp.byModel("sentry.user").map((u) => `${u.pk} ${s(u, "email")}`));
    const userEmails = new Set(
      exp.byModel("sentry.useremail").map((r) => `${n(r, "user")} ${s(r, "email")}`),
    );
    for (const primary of primaries) {
      expect(userEmails.has(primary)).toBe(true);
    }
    const emails = new Set(exp.byModel("sentry.email").map((r) => s(r, "email").toLowerCase()));
    for (const row of exp.byModel("sentry.useremail")) {
      expect(emails.has(s(row, "email").toLowerCase())).toBe(true);
    }
  });

  it("links relay usages to relays by relay_id", () => {
    const relays = new Set(exp.byModel("sentry.relay").map((r) => s(r, "relay_id")));
    const usages = exp.byModel("sentry.relayusage").map((r) => s(r, "relay_id"));
    expect(usages.filter((id) => relays.has(id)).length).toBeGreaterThan(0);
  });

  it("adds rows with missing FK targets only when asked", () => {
    const dangling = parseExport({ seed: "fk", users: 20, danglingReferences: true });
    const userPks = new Set(dangling.byModel("sentry.user").map((u) => u.pk));
    const rolePks = new Set(dangling.byModel("sentry.userrole").map((r) => r.pk));
    const missing = dangling.rows.filter(
      (r) =>
        (typeof r.fields["user"] === "number" && !userPks.has(r.fields["user"])) ||
        (typeof r.fields["role"] === "number" && !rolePks.has(r.fields["role"])),
    );
    expect(new Set(missing.map((r) => r.model))).toEqual(
      new Set([
        "sentry.userpermission",
        "sentry.userroleuser",
        "sentry.useroption",
        "sentry.useremail",
        "sentry.apitoken",
      ]),
    );
  });
});
