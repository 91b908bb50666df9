import { describe, expect, it } from "vitest";
import { ImportFailure } from "../../../lib/errors.ts";
import { detectRuns, RunDetector } from "../../../lib/planner/runs.ts";
import { readShared, describeWithShared } from "../../support/shared.ts";
import { rows } from "./doubles.ts";

function failureOf(fn: () => unknown): ImportFailure {
  try {
    fn();
  } catch (error: unknown) {
    if (error instanceof ImportFailure) {
      return error;
    }
    throw error;
  }
  throw new Error("expected an ImportFailure");
}

describe("run detection", () => {
  it("finds the maximal runs of one lower-cased model in file order", () => {
    const runs = detectRuns(["sentry.option", "Sentry.Option", "sentry.user", "sentry.option2"]);
    expect(runs).toEqual([
      { model: "sentry.option", firstPosition: 1, lastPosition: 2, rowCount: 2 },
      { model: "sentry.user", firstPosition: 3, lastPosition: 3, rowCount: 1 },
      { model: "sentry.option2", firstPosition: 4, lastPosition: 4, rowCount: 1 },
    ]);
  });

  it("finds no runs in an empty file", () => {
    expect(detectRuns([])).toEqual([]);
  });

  it("(c) rejects a split sentry.option run at rows 1–2 and 5–5, naming the model and both runs", () => {
    const failure = failureOf(() =>
      detectRuns(rows(["sentry.option", 2], ["sentry.user", 2], ["sentry.option", 1])),
    );
    expect(failure.code).toBe("NonContiguousModelRun");
    expect(failure.message).toBe("sentry.option: rows 1–2 and 5–5");
    expect(failure.on).toEqual({ model: "sentry.option", ordinal: null, position: 5 });
    expect(failure.context["runs"]).toEqual([
      {
        model: "sentry.option",
        positions: [
          [1, 2],
          [5, 5],
        ],
      },
    ]);
  });

  it("matches the decision-c example: sentry.option: rows 1–2 and 7–7", () => {
    const failure = failureOf(() =>
      detectRuns(rows(["sentry.option", 2], ["sentry.user", 4], ["sentry.option", 1])),
    );
    expect(failure.message).toBe("sentry.option: rows 1–2 and 7–7");
  });

  it("names every run of a model that appears three times", () => {
    const failure = failureOf(() =>
      detectRuns(
        rows(["sentry.user", 2], ["sentry.email", 1], ["sentry.user", 1], ["sentry.email", 1]),
      ),
    );
    expect(failure.message).toBe("sentry.user: rows 1–2 and 4–4; sentry.email: rows 3–3 and 5–5");
    const thrice = failureOf(() =>
      detectRuns(rows(["a.b", 1], ["c.d", 1], ["a.b", 1], ["c.d", 1], ["a.b", 2])),
    );
    expect(thrice.message).toBe("a.b: rows 1–1, 3–3 and 5–6; c.d: rows 2–2 and 4–4");
  });

  it("checks every model, out of scope and unknown ones included", () => {
    const failure = failureOf(() =>
      detectRuns(rows(["sites.site", 1], ["sentry.option", 1], ["SITES.site", 1])),
    );
    expect(failure.message).toBe("sites.site: rows 1–1 and 3–3");
  });

  it("returns each run as it closes, so a streaming reader holds no rows", () => {
    const detector = new RunDetector();
    expect(detector.push(1, "sentry.user")).toBeNull();
    expect(detector.push(2, "sentry.user")).toBeNull();
    expect(detector.push(3, "sentry.email")).toEqual({
      model: "sentry.user",
      firstPosition: 1,
      lastPosition: 2,
      rowCount: 2,
    });
    expect(detector.rowCount).toBe(3);
    expect(detector.finish()).toHaveLength(2);
    expect(() => detector.push(4, "sentry.user")).toThrow(/after finish/);
  });

  it("refuses rows out of order or with gaps, since runs are about adjacency", () => {
    const detector = new RunDetector();
    expect(() => detector.push(2, "sentry.user")).toThrow(RangeError);
    detector.push(1, "sentry.user");
    expect(() => detector.push(1, "sentry.user")).toThrow(RangeError);
    expect(() => detector.push(3, "sentry.user")).toThrow(RangeError);
  });
});

describeWithShared("run detection on Sentry's fixtures", () => {
  async function modelsOf(name: string): Promise<string[]> {
    const parsed = JSON.parse((await readShared("sentry", name)).toString("utf8")) as {
      model: string;
    }[];
    return parsed.map((row) => row.model);
  }

  it("finds 74 contiguous runs over 125 rows in 23.7.1.json, email before user", async () => {
    const runs = detectRuns(await modelsOf("23.7.1.json"));
    expect(runs).toHaveLength(74);
    expect(runs.at(-1)?.lastPosition).toBe(125);
    const models: string[] = runs.map((run) => run.model);
    expect(models.indexOf("sentry.email")).toBeLessThan(models.indexOf("sentry.user"));
    expect(runs.find((run) => run.model === "sentry.actor")).toMatchObject({ rowCount: 3 });
  });

  it("finds fresh-install.json's options at rows 1–4", async () => {
    const runs = detectRuns(await modelsOf("fresh-install.json"));
    expect(runs[0]).toEqual({
      model: "sentry.option",
      firstPosition: 1,
      lastPosition: 4,
      rowCount: 4,
    });
  });
});
