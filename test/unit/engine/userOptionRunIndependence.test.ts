import { describe, expect, it } from "vitest";
import { UserOptionRunIndependence } from "../../../lib/engine/userOptionRunIndependence.ts";
import { NaturalKey } from "../../../lib/export/row.ts";
import type { FieldValue } from "../../../lib/export/row.ts";

function option(
  user: FieldValue,
  key: string,
  scope: { project_id?: number; organization_id?: number } = {},
): Record<string, FieldValue> {
  return {
    user,
    key,
    project_id: scope.project_id ?? null,
    organization_id: scope.organization_id ?? null,
    value: "x",
  };
}

function check(rows: readonly Record<string, FieldValue>[]): UserOptionRunIndependence {
  const independence = new UserOptionRunIndependence();
  rows.forEach((values) => {
    independence.add(values);
  });
  return independence;
}

describe("UserOptionRunIndependence", () => {
  it("finds distinct global options independent, and ignores scoped ones", () => {
    const result = check([
      option(1, "timezone"),
      option(1, "language"),
      option(1, "timezone", { project_id: 5 }),
      option(1, "timezone", { organization_id: 6 }),
      option(2, "timezone"),
    ]);
    expect(result.independent).toBe(true);
  });

  it("sees a global option repeated for one user (the later one is skipped in file order)", () => {
    const result = check([option(1, "timezone"), option(1, "x"), option(1, "timezone")]);
    expect(result.independent).toBe(false);
    expect(result.reason).toMatch(/repeated/);
  });

  it("keeps a run whose options are not grouped by ascending user in order", () => {
    const result = check([option(1, "timezone"), option(2, "timezone"), option(1, "language")]);
    expect(result.independent).toBe(false);
    expect(result.reason).toMatch(/grouped/);
  });

  it("keeps a run with natural-key users in order (resolved only when the run is read)", () => {
    const result = check([option(new NaturalKey(["a@example.com"]), "timezone")]);
    expect(result.independent).toBe(false);
  });
});
