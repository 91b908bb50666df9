import { describe, expect, it } from "vitest";
import { ImportFailure } from "../../../lib/errors.ts";
import { parseElement, readExportRows } from "../../../lib/export/index.ts";
import { chunked, collect, utf8 } from "./support.ts";

function element(text: string, position = 3) {
  return { position, text, byteOffset: 0 };
}

function failureOf(fn: () => unknown): ImportFailure {
  try {
    fn();
  } catch (error) {
    if (error instanceof ImportFailure) {
      return error;
    }
    throw error;
  }
  throw new Error("expected a failure");
}

describe("parseElement", () => {
  it("reads the envelope and lower-cases the model name", () => {
    const row = parseElement(element('{"model": "Sentry.User", "pk": 7, "fields": {"a": 1}}'));
    expect(row).toEqual({ position: 3, model: "sentry.user", pk: 7, fields: { a: 1 } });
  });

  it("reports malformed JSON as DeserializationFailed with the position", () => {
    const error = failureOf(() => parseElement(element('{"model": "sentry.user",}')));
    expect(error.code).toBe("DeserializationFailed");
    expect(error.on.position).toBe(3);
    expect(error.message).toMatch(/element 3 is not valid JSON/);
  });

  it.each([
    ["[]", /not an object/],
    ["null", /not an object/],
    ['"x"', /not an object/],
    ['{"pk": 1, "fields": {}}', /no "model" string/],
    ['{"model": 5, "pk": 1, "fields": {}}', /no "model" string/],
    ['{"model": "sentry.user", "fields": {}}', /no integer "pk"/],
    ['{"model": "sentry.user", "pk": "1", "fields": {}}', /no integer "pk"/],
    ['{"model": "sentry.user", "pk": 1.5, "fields": {}}', /no integer "pk"/],
    ['{"model": "sentry.user", "pk": 1}', /no "fields" object/],
    ['{"model": "sentry.user", "pk": 1, "fields": []}', /no "fields" object/],
    ['{"model": "sentry.user", "pk": 1, "fields": null}', /no "fields" object/],
  ])("rejects %s as InvalidExport naming the position", (text, reason) => {
    const error = failureOf(() => parseElement(element(text)));
    expect(error.code).toBe("InvalidExport");
    expect(error.on.position).toBe(3);
    expect(error.message).toMatch(reason);
  });
});

describe("readExportRows", () => {
  it("streams rows in file order", async () => {
    const text = JSON.stringify([
      { model: "sentry.option", pk: 1, fields: { key: "a" } },
      { model: "SITES.SITE", pk: 1, fields: {} },
    ]);
    const rows = await collect(readExportRows(chunked(utf8(text), [5])));
    expect(rows.map((r) => [r.position, r.model, r.pk])).toEqual([
      [1, "sentry.option", 1],
      [2, "sites.site", 1],
    ]);
  });

  it("fails on the first bad row with its position", async () => {
    const text = '[{"model": "a.b", "pk": 1, "fields": {}}, {"model": "a.b", "pk": 2}]';
    await expect(collect(readExportRows(chunked(utf8(text), [7])))).rejects.toMatchObject({
      code: "InvalidExport",
      on: { position: 2 },
    });
  });
});
