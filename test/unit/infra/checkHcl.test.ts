import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkHclDir, checkHclSource } from "../../../scripts/check-hcl.ts";

const FORMATTED = `resource "google_storage_bucket" "backups" {
  name     = "b"
  location = "europe-west1"

  versioning {
    enabled = true
  }
}
`;

describe("scripts/check-hcl.ts", () => {
  it("accepts a file that parses and is formatted as terraform fmt formats it", async () => {
    await expect(checkHclSource({ name: "ok.tf", source: FORMATTED })).resolves.toEqual([]);
  });

  it("rejects a file that does not parse, naming the file and position", async () => {
    const problems = await checkHclSource({
      name: "bad.tf",
      source: 'resource "google_storage_bucket" "b" {\n  name = \n}\n',
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "bad.tf", kind: "syntax" });
    expect(problems[0]?.message).toMatch(/bad\.tf:2,/);
  });

  it("rejects a file whose alignment terraform fmt would change, naming the line", async () => {
    const unaligned = FORMATTED.replace("name     =", "name =");
    const problems = await checkHclSource({ name: "style.tf", source: unaligned });
    expect(problems).toEqual([
      expect.objectContaining({
        file: "style.tf",
        kind: "format",
        message: expect.stringMatching(/line 2: found " {2}name = \\"b\\""/) as unknown,
      }),
    ]);
  });

  it("rejects a file with tab indentation", async () => {
    const tabbed = FORMATTED.replace('  name     = "b"', '\tname     = "b"');
    const problems = await checkHclSource({ name: "tabs.tf", source: tabbed });
    expect(problems.map((p) => p.kind)).toEqual(["format"]);
  });

  it("passes every .tf file in infra/", async () => {
    const { files, problems } = await checkHclDir(path.resolve(import.meta.dirname, "../../../infra"));
    expect(files).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });
});
