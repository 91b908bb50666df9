import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../../lib/migrations/index.ts";
import type { MigrationStep } from "../../../lib/migrations/index.ts";

const steps: readonly MigrationStep[] = MIGRATIONS.flatMap((migration) => migration.steps);

function statementsOf(step: MigrationStep): readonly string[] {
  return step.kind === "createTable" ? step.statements : [step.sql];
}

const SENTRY_TABLES = [
  "auth_user",
  "sentry_email",
  "sentry_useremail",
  "sentry_useroption",
  "sentry_userpermission",
  "sentry_userrole",
  "sentry_userrole_users",
  "sentry_option",
  "sentry_controloption",
  "sentry_relay",
  "sentry_relayusage",
  "sentry_apitoken",
  "sentry_apiauthorization",
  "sentry_lostpasswordhash",
  "sentry_regionimportchunk",
  "sentry_controlimportchunk",
  "sentry_controlimportchunkreplica",
];

describe("the migration list", () => {
  it("numbers migrations 1, 2, 3, … in order", () => {
    expect(MIGRATIONS.map((migration) => migration.id)).toEqual(
      MIGRATIONS.map((_, index) => index + 1),
    );
    expect(new Set(MIGRATIONS.map((migration) => migration.name)).size).toBe(MIGRATIONS.length);
  });

  it("creates exactly Sentry's 13 model tables, the lost-password hashes and the 3 chunk tables", () => {
    const created = steps.flatMap((step) => (step.kind === "createTable" ? [step.table] : []));
    expect([...created].sort()).toEqual([...SENTRY_TABLES].sort());
    expect(created).not.toContain("sentry_controloutbox");
  });

  it("holds one statement per entry, as the Db port requires", () => {
    for (const statement of steps.flatMap(statementsOf)) {
      expect(statement.trim()).not.toMatch(/;\s*\S/u);
    }
  });

  it("touches in a table step only the table that step creates", () => {
    for (const step of steps.filter((each) => each.kind === "createTable")) {
      const [create, ...rest] = step.statements;
      expect(create).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS ${step.table} \\(`, "u"));
      for (const statement of rest) {
        expect(statement).toMatch(
          new RegExp(`^CREATE (UNIQUE )?INDEX IF NOT EXISTS \\w+\\s+ON ${step.table} \\(`, "u"),
        );
      }
    }
  });

  it("alters or indexes only tables it owns (foreign keys: between tables it owns)", () => {
    const owned = steps.flatMap((step) => (step.kind === "whenOwned" ? [step] : []));
    expect(owned.length).toBeGreaterThan(0);
    const misplaced = owned.filter((step) => {
      const touched = [...step.sql.matchAll(/\b(?:ALTER TABLE|REFERENCES|ON) (\w+)/gu)].map(
        (match) => match[1] ?? "",
      );
      return touched.length === 0 || touched.some((table) => !step.tables.includes(table));
    });
    expect(misplaced).toEqual([]);
  });

  it("runs unconditionally only idempotent statements on sentry-import's own schema", () => {
    // a Sentry table is only ever created by a table step, and altered or indexed only when owned
    const allowed = [
      /^CREATE (EXTENSION|SCHEMA) IF NOT EXISTS \w+$/u,
      /^CREATE TABLE IF NOT EXISTS sentry_import\.\w+ \(/u,
      /^ALTER TABLE sentry_import\.\w+ ADD COLUMN IF NOT EXISTS /u,
      /^CREATE (UNIQUE )?INDEX IF NOT EXISTS \w+\s+ON sentry_import\.\w+ /u,
    ];
    const unconditional = steps.flatMap((step) => (step.kind === "sql" ? [step.sql] : []));
    expect(unconditional.filter((text) => !allowed.some((pattern) => pattern.test(text)))).toEqual(
      [],
    );
  });

  it("sets no column defaults on Sentry's tables, like Django", () => {
    const tableSteps = steps.filter((step) => step.kind === "createTable");
    expect(tableSteps.filter((step) => /\bDEFAULT\b/u.test(step.statements.join("\n")))).toEqual(
      [],
    );
  });
});
