import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLE_OPTIONS } from "../../support/synthetic/example.ts";
import { CONFIG_MODELS, generateExportText } from "../../support/synthetic/index.ts";

const EXAMPLES = resolve(import.meta.dirname, "../../../examples");

describe("the bundled example", () => {
  it("is what scripts/make-example.ts generates (rerun it after changing the generator)", async () => {
    const file = JSON.parse(
      await readFile(resolve(EXAMPLES, "example-export.json"), "utf8"),
    ) as unknown;
    expect(file).toEqual(JSON.parse(generateExportText(EXAMPLE_OPTIONS)));
  });

  it("shows every Config model", () => {
    const rows = JSON.parse(generateExportText(EXAMPLE_OPTIONS)) as { model: string }[];
    const models = new Set(rows.map((r) => r.model));
    expect(CONFIG_MODELS.filter((m) => !models.has(m))).toEqual([]);
  });
});
