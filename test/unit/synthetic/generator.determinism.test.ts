import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  expectedCounts,
  generateExport,
  generateExportText,
  writeExportFile,
  type SyntheticExportOptions,
} from "../../support/synthetic/index.ts";
import type { Row } from "./parse.ts";

async function digest(options: SyntheticExportOptions): Promise<{ sha: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of generateExport(options)) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha: hash.digest("hex"), bytes };
}

describe("synthetic export determinism", () => {
  const options: SyntheticExportOptions = { seed: 2024, users: 3000, outOfScope: true };
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("gives the same bytes for the same seed and options", async () => {
    const first = await digest(options);
    const second = await digest(options);
    expect(second).toEqual(first);
    expect(first.bytes).toBeGreaterThan(1 << 18); // several chunks, not one
  });

  it("gives different bytes for another seed", async () => {
    expect((await digest({ ...options, seed: 2025 })).sha).not.toBe((await digest(options)).sha);
  });

  it("accepts string seeds", () => {
    expect(generateExportText({ seed: "abc", users: 20 })).toBe(
      generateExportText({ seed: "abc", users: 20 }),
    );
    expect(generateExportText({ seed: "abc", users: 20 })).not.toBe(
      generateExportText({ seed: "abd", users: 20 }),
    );
  });

  it("streams exactly the text that generateExportText returns", async () => {
    const parts: Buffer[] = [];
    for await (const chunk of generateExport(options)) {
      parts.push(Buffer.from(chunk));
    }
    expect(Buffer.concat(parts).toString("utf8")).toBe(generateExportText(options));
  });

  it("keeps earlier users' usernames when more users are generated", () => {
    // Dates and shared addresses scale with the user count; identities do not.
    const usernames = (count: number): string[] =>
      (JSON.parse(generateExportText({ seed: 5, users: count })) as Row[])
        .filter((r) => r.model === "sentry.user")
        .map((r) => String(r.fields["username"]));
    expect(usernames(200).slice(0, 50)).toEqual(usernames(50));
  });

  it("rejects invalid options before generating anything", () => {
    expect(() => generateExport({ seed: 1, users: -1 })).toThrow();
    expect(() => generateExport({ seed: 1, users: 1, staffFraction: 2 })).toThrow();
  });

  it("writes a file and reports its bytes, rows and per-model counts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "synthetic-"));
    dirs.push(dir);
    const path = join(dir, "export.json");
    const written = await writeExportFile(path, options);
    const content = await readFile(path);
    expect(written.bytes).toBe(content.length);
    expect(content.toString("utf8")).toBe(generateExportText(options));
    expect(written.countsByModel).toEqual(expectedCounts(options).file);
    expect(written.rows).toBe((JSON.parse(content.toString("utf8")) as unknown[]).length);
  });
});
