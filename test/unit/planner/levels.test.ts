import { describe, expect, it } from "vitest";
import { dependencyLevels } from "../../../lib/planner/levels.ts";
import { areRelated } from "../../../lib/registry/registry.ts";
import type { ModelName } from "../../../lib/registry/types.ts";
import { m, REGISTRY_ORDER, relatedDouble } from "./doubles.ts";

function levelsByModel(
  models: readonly ModelName[],
  related = relatedDouble,
): Record<string, number | undefined> {
  const levels = dependencyLevels(models, related);
  return Object.fromEntries(models.map((model, i) => [model, levels[i]]));
}

/** §6.3's table for an export in registry order. */
const SECTION_6_3 = {
  "sentry.controloption": 0,
  "sentry.option": 0,
  "sentry.relay": 0,
  "sentry.relayusage": 0,
  "sentry.user": 0,
  "sentry.userrole": 0,
  "sentry.userpermission": 1,
  "sentry.userroleuser": 1,
  "sentry.email": 1,
  "sentry.useroption": 1,
  "sentry.apitoken": 1,
  "sentry.apiauthorization": 1,
  "sentry.useremail": 2,
};

describe("dependency levels", () => {
  it("gives an export in registry order the levels of §6.3's table", () => {
    expect(levelsByModel(REGISTRY_ORDER)).toEqual(SECTION_6_3);
  });

  it("gives 23.7.1's legacy order (email before user) email 0, user 1 and useremail 2", () => {
    // the importable runs of 23.7.1.json in file order
    const legacy = [
      "sentry.option",
      "sentry.controloption",
      "sentry.email",
      "sentry.user",
      "sentry.relayusage",
      "sentry.relay",
      "sentry.useremail",
      "sentry.userpermission",
      "sentry.userrole",
      "sentry.userroleuser",
      "sentry.useroption",
      "sentry.apiauthorization",
      "sentry.apitoken",
    ].map(m);
    expect(levelsByModel(legacy)).toMatchObject({
      "sentry.email": 0,
      "sentry.user": 1,
      "sentry.useremail": 2,
      "sentry.userpermission": 2,
      "sentry.userroleuser": 2,
      "sentry.userrole": 0,
      "sentry.option": 0,
    });
  });

  it("ignores a related run that comes later in the file", () => {
    // useremail first: nothing earlier is related, so it starts at level 0 and cannot see users
    expect(dependencyLevels([m("sentry.useremail"), m("sentry.user")], relatedDouble)).toEqual([
      0, 1,
    ]);
  });

  it("treats the relation as symmetric whichever way the predicate answers", () => {
    const oneWay = (a: ModelName, b: ModelName) =>
      a === m("sentry.user") && b === m("sentry.email");
    expect(dependencyLevels([m("sentry.email"), m("sentry.user")], oneWay)).toEqual([0, 1]);
    expect(dependencyLevels([m("sentry.user"), m("sentry.email")], oneWay)).toEqual([0, 1]);
  });

  it("takes one more than the highest related earlier level, not the latest", () => {
    const chain = ["a.x", "a.y", "a.z", "a.w"].map(m);
    const pairs = new Set(["a.x|a.y", "a.y|a.z", "a.x|a.w"]);
    const related = (a: ModelName, b: ModelName) => pairs.has(`${a}|${b}`);
    expect(dependencyLevels(chain, related)).toEqual([0, 1, 2, 1]);
  });

  it("agrees with the registry's relation for the registry order", () => {
    expect(levelsByModel(REGISTRY_ORDER, areRelated)).toEqual(SECTION_6_3);
  });
});
