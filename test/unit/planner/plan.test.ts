import { describe, expect, it } from "vitest";
import { ImportFailure } from "../../../lib/errors.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import { buildPlan, chunkCount, parsePlan, runsByLevel } from "../../../lib/planner/plan.ts";
import type { Plan } from "../../../lib/planner/plan.ts";
import { planWithRegistry } from "../../../lib/planner/registryPlan.ts";
import { detectRuns } from "../../../lib/planner/runs.ts";
import { describeWithShared, readShared } from "../../support/shared.ts";
import { classifyDouble, m, REGISTRY_ORDER, relatedDouble, rows } from "./doubles.ts";

const IMPORT_UUID = importUuid("0b7e3c1a9f6d4e2b8c5a1d3f7e9b2c4a");

function plan(models: readonly string[], chunkSize = 20): Plan {
  return buildPlan({
    importUuid: IMPORT_UUID,
    scope: "Config",
    chunkSize,
    runs: detectRuns(models),
    classify: classifyDouble,
    related: relatedDouble,
  });
}

/** A JSON round trip, as when the plan is stored in Postgres or sent to another function. */
function throughJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("the plan", () => {
  it("plans 40 users + 40 user options at chunk size 20 as chunks at ordinals 1 and 21 per model", () => {
    const p = plan(rows(["sentry.user", 40], ["sentry.useroption", 40]));
    expect(p.runs.map((r) => [r.model, r.level, r.chunks.map((c) => c.minOrdinal)])).toEqual([
      ["sentry.user", 0, [1, 21]],
      ["sentry.useroption", 1, [1, 21]],
    ]);
    expect(p.runs[1]?.chunks[1]).toEqual({
      minOrdinal: 21,
      rowCount: 20,
      firstPosition: 61,
      lastPosition: 80,
    });
  });

  it("plans 21 users + 21 user options as 1–20 and 21–21 per model", () => {
    const p = plan(rows(["sentry.user", 21], ["sentry.useroption", 21]));
    for (const run of p.runs) {
      expect(run.chunks.map((c) => [c.minOrdinal, c.minOrdinal + c.rowCount - 1])).toEqual([
        [1, 20],
        [21, 21],
      ]);
    }
    expect(chunkCount(p)).toBe(4);
  });

  it("(h) is a pure function of the file and the chunk size", () => {
    const file = rows(["sentry.option", 2500], ["sentry.user", 3]);
    expect(plan(file, 1000)).toEqual(plan(file, 1000));
    expect(plan(file, 1000).runs[0]?.chunks.map((c) => c.minOrdinal)).toEqual([1, 1001, 2001]);
    expect(plan(file, 1000)).not.toEqual(plan(file, 20));
  });

  it("holds the import uuid, scope and chunk size, and no row data", () => {
    const p = plan(rows(["sentry.user", 3]), 50);
    expect(p).toMatchObject({
      version: 1,
      importUuid: "0b7e3c1a-9f6d-4e2b-8c5a-1d3f7e9b2c4a",
      scope: "Config",
      chunkSize: 50,
      totalRows: 3,
    });
  });

  it("skips out-of-scope, unknown and removed runs, with their row counts", () => {
    const p = plan(
      rows(
        ["sites.site", 1],
        ["sentry.option", 2],
        ["sentry.actor", 3],
        ["sentry.organization", 2],
        ["sentry.user", 1],
      ),
    );
    expect(p.runs.map((r) => r.model)).toEqual(["sentry.option", "sentry.user"]);
    expect(p.skipped.map((s) => [s.model, s.rowCount, s.reason])).toEqual([
      ["sites.site", 1, "unknown"],
      ["sentry.actor", 3, "removed"],
      ["sentry.organization", 2, "outOfScope"],
    ]);
    expect(p.totalRows).toBe(9);
  });

  it("(c) rejects a file with a split sentry.option run before planning anything", () => {
    // runs handed in directly (not through RunDetector), as a resumed import might
    const runs = [
      { model: m("sentry.option"), firstPosition: 1, lastPosition: 2, rowCount: 2 },
      { model: m("sentry.user"), firstPosition: 3, lastPosition: 4, rowCount: 2 },
      { model: m("sentry.option"), firstPosition: 5, lastPosition: 5, rowCount: 1 },
    ];
    const build = () =>
      buildPlan({
        importUuid: IMPORT_UUID,
        scope: "Config",
        chunkSize: 20,
        runs,
        classify: classifyDouble,
        related: relatedDouble,
      });
    expect(build).toThrow(ImportFailure);
    expect(build).toThrow("sentry.option: rows 1–2 and 5–5");
  });

  it("groups runs by level, in file order within a level", () => {
    const p = plan(REGISTRY_ORDER);
    expect(runsByLevel(p).map((level) => level.map((r) => r.model))).toEqual([
      [
        "sentry.controloption",
        "sentry.option",
        "sentry.relay",
        "sentry.relayusage",
        "sentry.user",
        "sentry.userrole",
      ],
      [
        "sentry.userpermission",
        "sentry.userroleuser",
        "sentry.email",
        "sentry.useroption",
        "sentry.apitoken",
        "sentry.apiauthorization",
      ],
      ["sentry.useremail"],
    ]);
  });

  it("plans an empty file as nothing to do", () => {
    expect(plan([])).toMatchObject({ totalRows: 0, runs: [], skipped: [] });
    expect(parsePlan(throughJson(plan([])))).toEqual(plan([]));
  });
});

describe("the plan schema", () => {
  const p = plan(rows(["sites.site", 1], ["sentry.user", 41], ["sentry.useremail", 3]));

  it("reads back a stored plan unchanged", () => {
    expect(parsePlan(throughJson(p))).toEqual(p);
  });

  it("rejects chunks cut at another chunk size, which would change the ledger keys", () => {
    expect(() => parsePlan({ ...p, chunkSize: 25 })).toThrow(/chunks differ/);
  });

  it("rejects runs that do not tile the file", () => {
    const [first, ...rest] = p.runs;
    expect(() =>
      parsePlan({ ...p, runs: [{ ...first, firstPosition: 3, lastPosition: 43 }, ...rest] }),
    ).toThrow(/expected 2/);
    expect(() => parsePlan({ ...p, totalRows: 46 })).toThrow(/totalRows/);
  });

  it("rejects a model in two runs, a level gap, upper-case models and unknown keys", () => {
    const twice = { ...p, skipped: [{ ...p.skipped[0], model: "sentry.useremail" }] };
    expect(() => parsePlan(twice)).toThrow(/more than one run/);
    const gap = { ...p, runs: p.runs.map((r) => ({ ...r, level: r.level * 2 })) };
    expect(() => parsePlan(gap)).toThrow(/level 1 is empty/);
    const upper = { ...p, skipped: [{ ...p.skipped[0], model: "Sites.Site" }] };
    expect(() => parsePlan(upper)).toThrow(/lower-cased/);
    expect(() => parsePlan({ ...p, rows: [] })).toThrow();
    expect(() => parsePlan({ ...p, version: 2 })).toThrow();
  });
});

describeWithShared("plans of Sentry's fixtures", () => {
  async function runsOf(name: string) {
    const parsed = JSON.parse((await readShared("sentry", name)).toString("utf8")) as {
      model: string;
    }[];
    return detectRuns(parsed.map((row) => row.model));
  }

  it("plans 23.7.1.json with 13 importable runs, email at level 0 and user at 1", async () => {
    const runs = await runsOf("23.7.1.json");
    const p = buildPlan({
      importUuid: IMPORT_UUID,
      scope: "Config",
      chunkSize: 20,
      runs,
      classify: classifyDouble,
      related: relatedDouble,
    });
    expect(p.runs).toHaveLength(13);
    const level = (model: string) => p.runs.find((r) => r.model === model)?.level;
    expect([level("sentry.email"), level("sentry.user"), level("sentry.useremail")]).toEqual([
      0, 1, 2,
    ]);
    expect(p.skipped.filter((s) => s.reason === "unknown").map((s) => s.model)).toEqual([
      "sites.site",
      "sentry.alertruleexcludedprojects",
      "sentry.incidentsubscription",
      "sentry.alertruletriggerexclusion",
    ]);
    expect(p.skipped.find((s) => s.reason === "removed")).toMatchObject({
      model: "sentry.actor",
      rowCount: 3,
    });
    expect(p.skipped).toHaveLength(61);
  });

  it("plans fresh-install.json's chunks as §18.14 lists its ledger rows", async () => {
    const p = planWithRegistry({
      importUuid: IMPORT_UUID,
      scope: "Config",
      chunkSize: 20,
      runs: await runsOf("fresh-install.json"),
    });
    expect(p.runs.map((r) => [r.model, r.chunks.map((c) => [c.minOrdinal, c.rowCount])])).toEqual([
      ["sentry.option", [[1, 4]]],
      ["sentry.user", [[1, 3]]],
      ["sentry.relayusage", [[1, 1]]],
      ["sentry.relay", [[1, 1]]],
      ["sentry.useremail", [[1, 3]]],
      ["sentry.userrole", [[1, 1]]],
      ["sentry.userroleuser", [[1, 2]]],
    ]);
  });

  it("plans with the real registry as with the §6.2 double, telling §5's out-of-scope models from unknown ones", async () => {
    const runs = await runsOf("23.7.1.json");
    const input = { importUuid: IMPORT_UUID, scope: "Config", chunkSize: 20, runs } as const;
    const real = planWithRegistry(input);
    const double = buildPlan({ ...input, classify: classifyDouble, related: relatedDouble });
    expect(real.runs).toEqual(double.runs);
    expect(real.skipped.map((s) => s.model)).toEqual(double.skipped.map((s) => s.model));
    expect(real.skipped.find((s) => s.model === "sentry.organization")?.reason).toBe("outOfScope");
    expect(real.skipped.find((s) => s.model === "sites.site")?.reason).toBe("unknown");
    expect(real.skipped.find((s) => s.model === "sentry.actor")?.reason).toBe("removed");
  });

  it("skips Config-only models in a User-scope plan as out of scope", async () => {
    const p = planWithRegistry({
      importUuid: IMPORT_UUID,
      scope: "User",
      chunkSize: 20,
      runs: await runsOf("fresh-install.json"),
    });
    expect(p.runs.map((r) => r.model)).toEqual(["sentry.user", "sentry.useremail"]);
    expect(p.skipped.find((s) => s.model === "sentry.option")?.reason).toBe("outOfScope");
  });
});
