import { describe, expect, it } from "vitest";
import { ImportFailure } from "../../../lib/errors.ts";
import { parseElementBlock } from "../../../lib/export/elementBlock.ts";
import { splitJsonArray } from "../../../lib/export/splitter.ts";
import type { SplitOptions } from "../../../lib/export/splitter.ts";
import { parseElement } from "../../../lib/export/envelope.ts";
import type { ExportRow } from "../../../lib/export/envelope.ts";
import { chunked, random, utf8 } from "./support.ts";

/** What a consumer sees of an element, however it came: its place and its row, or a failure. */
interface Seen {
  readonly position: number;
  readonly byteOffset: number;
  readonly row: ExportRow;
}

type Outcome =
  | { readonly elements: readonly Seen[]; readonly parsedInBlocks: number }
  | { readonly failure: { code: string; message: string; on: unknown; context: unknown } };

/** Splits and parses as the plan pass does: the first failure, the splitter's or a row's, wins. */
async function outcome(
  bytes: Uint8Array,
  sizes: readonly number[],
  options: SplitOptions,
): Promise<Outcome> {
  const elements: Seen[] = [];
  let parsedInBlocks = 0;
  try {
    for await (const element of splitJsonArray(chunked(bytes, sizes), options)) {
      parsedInBlocks += element.parsed === undefined ? 0 : 1;
      const { position, byteOffset } = element;
      elements.push({ position, byteOffset, row: parseElement(element) });
    }
    return { elements, parsedInBlocks };
  } catch (error) {
    if (!(error instanceof ImportFailure)) {
      throw error;
    }
    const { code, message, on, context } = error;
    return { failure: { code, message, on, context } };
  }
}

function withoutCounts(result: Outcome): unknown {
  return "elements" in result ? result.elements : result;
}

/** An export-like document: rows with `model` first, and the traps the fast path must notice. */
function exportLike(next: () => number): unknown[] {
  const rows: unknown[] = [];
  const count = 1 + Math.floor(next() * 60);
  for (let pk = 1; pk <= count; pk++) {
    const pick = next();
    const fields: Record<string, unknown> = {
      name: `row ${String(pk)} "quoted" },{"model": inside a string`,
      n: Math.floor(next() * 1000),
    };
    if (pick < 0.1) {
      // a nested value that matches the boundary pattern
      fields["nested"] = [{ a: 1 }, { model: "nested.model", pk }];
    }
    if (pick > 0.95) {
      // a row whose first key is not `model`
      rows.push({ pk, model: "sentry.other", fields });
    } else if (pick > 0.93) {
      rows.push([pk, "not a row"]);
    } else {
      rows.push({ model: pk % 3 === 0 ? "sentry.user" : "sentry.useroption", pk, fields });
    }
  }
  return rows;
}

const SIZES: readonly (readonly number[])[] = [
  [1 << 16],
  [1 << 10],
  [64, 4096],
  [7],
  [300, 1, 5000],
];

describe("the splitter's block path (parseBlocks)", () => {
  it("parses a run of export rows many at a time", () => {
    const text =
      '[{"model":"a","pk":1,"fields":{}},{"model":"a","pk":2,"fields":{}},{"model":"b","pk":3,"fie';
    const block = parseElementBlock(utf8(text), 1, new TextDecoder(), 1 << 20);
    expect(block?.values).toEqual([
      { model: "a", pk: 1, fields: {} },
      { model: "a", pk: 2, fields: {} },
    ]);
    expect(block?.starts).toEqual([1, 34]);
    expect(text.charAt(block?.end ?? 0)).toBe(",");
  });

  it("refuses a block cut at a nested match, or holding a row of another shape", () => {
    const decoder = new TextDecoder();
    const nested =
      '[{"model":"a","pk":1,"fields":{"x":[{"y":1},{"model":2}]}},{"model":"b","pk":3,"fields":{}},{"model":"b"';
    expect(parseElementBlock(utf8(nested), 1, decoder, 1 << 20)).toBeNull();
    const pkFirst =
      '[{"pk":1,"model":"a","fields":{}},{"model":"b","pk":2,"fields":{}},{"model":"b"';
    expect(parseElementBlock(utf8(pkFirst), 1, decoder, 1 << 20)).toBeNull();
    const tooBig =
      '[{"model":"a","pk":1,"fields":{"s":"0123456789"}},{"model":"b","pk":2},{"model":"b"';
    expect(parseElementBlock(utf8(tooBig), 1, decoder, 20)).toBeNull();
  });

  it("yields what the byte walk yields, on random export-like documents and cuts", async () => {
    const next = random(11);
    // rows that took the block path, compact and pretty-printed (as Sentry writes exports)
    const parsedInBlocks = { compact: 0, indented: 0 };
    for (let round = 0; round < 150; round++) {
      const doc = exportLike(next);
      const indented = next() < 0.5;
      const bytes = utf8(JSON.stringify(doc, null, indented ? 2 : undefined));
      for (const sizes of SIZES) {
        const walked = await outcome(bytes, sizes, {});
        const blocked = await outcome(bytes, sizes, { parseBlocks: true });
        expect(withoutCounts(blocked)).toEqual(withoutCounts(walked));
        if ("elements" in blocked) {
          parsedInBlocks[indented ? "indented" : "compact"] += blocked.parsedInBlocks;
        }
      }
    }
    // not vacuous: rows took the block path in both layouts
    expect(parsedInBlocks.compact).toBeGreaterThan(250);
    expect(parsedInBlocks.indented).toBeGreaterThan(250);
  });

  it("parses pretty-printed rows in blocks past the first piece", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      model: "sentry.useroption",
      pk: i + 1,
      fields: { key: "theme", value: "dark" },
    }));
    const bytes = utf8(JSON.stringify(rows, null, 2));
    const result = await outcome(bytes, [1024], { parseBlocks: true });
    expect(withoutCounts(result)).toEqual(withoutCounts(await outcome(bytes, [1024], {})));
    // only the rows that straddle two pieces take the byte walk
    expect("elements" in result && result.parsedInBlocks).toBeGreaterThan(150);
  });

  it("fails exactly as the byte walk does on damaged documents", async () => {
    const next = random(5);
    const damage = ["", "}", "{", ",", '"', "]", "[", "x", "\\", " "];
    for (let round = 0; round < 300; round++) {
      const text = JSON.stringify(exportLike(next));
      const at = Math.floor(next() * text.length);
      const cut = Math.floor(next() * 3);
      const insert = damage[Math.floor(next() * damage.length)] ?? "";
      const bytes = utf8(text.slice(0, at) + insert + text.slice(at + cut));
      for (const sizes of [[1 << 16], [13]]) {
        expect(withoutCounts(await outcome(bytes, sizes, { parseBlocks: true }))).toEqual(
          withoutCounts(await outcome(bytes, sizes, {})),
        );
      }
    }
  });

  it("fails as the byte walk does on invalid UTF-8 and on an element over the limit", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({
      model: "sentry.user",
      pk: i + 1,
      fields: {},
    }));
    const text = JSON.stringify(rows);
    const middle = text.indexOf('{"model"', text.length / 2);
    const invalid = new Uint8Array([
      ...utf8(text.slice(0, middle + 1)),
      0xff,
      ...utf8(text.slice(middle + 1)),
    ]);
    const walkedInvalid = await outcome(invalid, [1 << 16], {});
    expect(walkedInvalid).toMatchObject({ failure: { code: "DeserializationFailed" } });
    expect(await outcome(invalid, [1 << 16], { parseBlocks: true })).toEqual(walkedInvalid);

    const big = JSON.stringify([
      ...rows.slice(0, 20),
      { model: "x", pk: 99, fields: { s: "y".repeat(500) } },
      ...rows,
    ]);
    const limit = { maxElementBytes: 200 };
    const walkedBig = await outcome(utf8(big), [1 << 16], limit);
    expect(walkedBig).toMatchObject({
      failure: { code: "DeserializationFailed", on: { position: 21 } },
    });
    expect(await outcome(utf8(big), [1 << 16], { ...limit, parseBlocks: true })).toEqual(walkedBig);
  });
});
