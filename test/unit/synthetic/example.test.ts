import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { makeLocalKeyDecryptor } from "../../../lib/adapters/localKey.ts";
import { collectBytes, fileSource, openEncryptedBackup } from "../../../lib/format/index.ts";
import {
  EXAMPLE_ARCHIVE,
  EXAMPLE_JSON,
  EXAMPLE_KEY,
  EXAMPLE_OPTIONS,
} from "../../support/synthetic/example.ts";
import { CONFIG_MODELS, generateExportText } from "../../support/synthetic/index.ts";

const EXAMPLES = resolve(import.meta.dirname, "../../../examples");

describe("the bundled example", () => {
  it("is what scripts/make-example.ts generates (rerun it after changing the generator)", async () => {
    const file = JSON.parse(await readFile(resolve(EXAMPLES, EXAMPLE_JSON), "utf8")) as unknown;
    expect(file).toEqual(JSON.parse(generateExportText(EXAMPLE_OPTIONS)));
  });

  it("has an archive that decrypts with the example key to the compact export", async () => {
    const keyPath = resolve(EXAMPLES, EXAMPLE_KEY);
    const decryptor = makeLocalKeyDecryptor(await readFile(keyPath), keyPath);
    const opened = await openEncryptedBackup(
      fileSource(resolve(EXAMPLES, EXAMPLE_ARCHIVE)),
      decryptor,
    );
    const plaintext = (await collectBytes(opened.plaintext())).toString("utf8");
    expect(plaintext).toBe(generateExportText(EXAMPLE_OPTIONS));
  });

  it("shows every Config model", () => {
    const rows = JSON.parse(generateExportText(EXAMPLE_OPTIONS)) as { model: string }[];
    const models = new Set(rows.map((r) => r.model));
    expect(CONFIG_MODELS.filter((m) => !models.has(m))).toEqual([]);
  });
});
