import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { removePendingTempFiles, writeFileAtomically } from "../../../lib/format/atomicFile.ts";

describe("atomic file writes", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sentry-import-atomic-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("replaces the destination only when the write succeeds", async () => {
    const dest = join(dir, "a.json");
    await writeFile(dest, "old");
    await expect(
      writeFileAtomically(dest, async (out) => {
        out.write("half");
        await Promise.reject(new Error("boom"));
      }),
    ).rejects.toThrow("boom");
    expect(await readFile(dest, "utf8")).toBe("old");
    expect(await readdir(dir)).toEqual(["a.json"]);
    await writeFileAtomically(dest, (out) => {
      out.end("new");
      return Promise.resolve();
    });
    expect(await readFile(dest, "utf8")).toBe("new");
    expect(await readdir(dir)).toEqual(["a.json"]);
  });

  it("lets an interrupted process remove its unfinished temporary files", async () => {
    const dest = join(dir, "b.json");
    let release: () => void = () => undefined;
    const pending = writeFileAtomically(dest, async (out) => {
      out.write("partial");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      throw new Error("interrupted");
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await readdir(dir)).some((name) => name.endsWith(".partial"))).toBe(true);
    removePendingTempFiles();
    expect((await readdir(dir)).some((name) => name.endsWith(".partial"))).toBe(false);
    release();
    await expect(pending).rejects.toThrow("interrupted");
    expect(await readdir(dir)).not.toContain("b.json");
  });
});
