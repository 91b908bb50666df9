import { describe, expect, it } from "vitest";

import { ImportFailure } from "../../../lib/errors.ts";
import { bufferSource, collectBytes } from "../../../lib/format/byteSources.ts";
import { compactJsonStream, measureCompactJson } from "../../../lib/format/jsonCompact.ts";

async function compact(text: string, pieceSize = 3): Promise<string> {
  const bytes = Buffer.from(text, "utf8");
  const out = await collectBytes(compactJsonStream(bufferSource(bytes, pieceSize)(), "input.json"));
  expect(await measureCompactJson(bufferSource(bytes, 5)(), "input.json")).toBe(out.length);
  return out.toString("utf8");
}

const AWKWARD: unknown[] = [
  [],
  {},
  [{ model: "sentry.user", pk: 1, fields: { username: "a b", tags: ["x", "y"] } }],
  { "key with spaces": "value with spaces\tand tab", "[{": "]}", quote: 'say "hi"' },
  ["back\\slash", "new\nline", "unicode é ü 漢字 🎉", "\u0001\u001f", "/slash"],
  [0, -0, 1, -1, 1.5, -2.25e-7, 1e21, 123456789012, true, false, null],
  [[[[[]]]], [{}], { a: { b: { c: [1, { d: null }] } } }],
  "a lone string",
  42,
  null,
];

describe("streaming JSON compaction", () => {
  it.each(AWKWARD.map((value) => [JSON.stringify(value).slice(0, 40), value] as const))(
    "compacts %s exactly like JSON.stringify, at any piece size",
    async (_name, value) => {
      const pretty = JSON.stringify(value, null, 2);
      for (const pieceSize of [1, 2, 7, 4096]) {
        expect(await compact(`\n ${pretty}\r\n\t `, pieceSize)).toBe(JSON.stringify(value));
      }
    },
  );

  it("keeps escapes and number spellings as written, so the value parses the same", async () => {
    const text = '{ "a" : "\\u00e9\\"\\\\" , "n" : 1.0E+2 , "z" : 0.5e-1 }';
    const out = await compact(text);
    expect(out).toBe('{"a":"\\u00e9\\"\\\\","n":1.0E+2,"z":0.5e-1}');
    expect(JSON.parse(out)).toEqual(JSON.parse(text));
  });

  it.each([
    "",
    "   ",
    "[",
    "[1,]",
    "[1 2]",
    '{"a" 1}',
    '{"a":1,}',
    "{1:2}",
    "[01]",
    "[1.]",
    "[.5]",
    "[-]",
    "[1e]",
    "[+1]",
    "[tru]",
    "[nul]",
    '["\\x"]',
    '["\\u12G4"]',
    '["a\nb"]',
    "[] []",
    "]",
    "\uFEFF[]",
    "[NaN]",
    "{'a':1}",
  ])("rejects %j like JSON.parse does", async (text) => {
    expect(() => JSON.parse(text) as unknown).toThrow();
    const failure = await compact(text).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ImportFailure);
    expect(failure).toMatchObject({ code: "InvalidExport" });
    expect((failure as Error).message).toMatch(/^Invalid input JSON in input\.json at byte \d+/);
  });
});
