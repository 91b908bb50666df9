import { describe, expect, it } from "vitest";
import { ImportFailure } from "../../../lib/errors.ts";
import { splitJsonArray } from "../../../lib/export/splitter.ts";
import type { ArrayElement } from "../../../lib/export/splitter.ts";
import { chunked, collect, random, utf8 } from "./support.ts";

const AWKWARD = `[
  {"model": "a.b", "pk": 1, "fields": {"s": "brackets ] [ and braces } { inside"}},
  {"q": "an escaped \\" quote, then ], }", "bs": "ends in a backslash \\\\"},
  {"u": "é ü ß 中文 😀 \\u00e9 \\ud83d\\ude00", "nested": [[1, [2, {"x": [3]}]], {"y": {}}]},
  "a top-level string, with a comma ] and }",
  12.5e3 ,-7,true,false,null,
  [],{},[[]],
  {"empty": "", "slashes": "\\\\\\\\\\"", "tabs": "\\t\\n\\r"}
]
`;

/** Without `parseBlocks` every element comes as text. */
function asText(element: ArrayElement): ArrayElement & { readonly text: string } {
  if (element.parsed !== undefined) {
    throw new Error(`element ${String(element.position)} came parsed`);
  }
  return element;
}

async function split(text: string, sizes: readonly number[] = [1 << 16]) {
  return (await collect(splitJsonArray(chunked(utf8(text), sizes)))).map(asText);
}

async function failure(text: string, sizes: readonly number[] = [1 << 16]): Promise<ImportFailure> {
  try {
    await split(text, sizes);
  } catch (error) {
    if (error instanceof ImportFailure) {
      return error;
    }
    throw error;
  }
  throw new Error("expected a failure");
}

/** A random JSON value with the characters that trouble splitters. */
function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 5 : 8));
  const alphabet = ['"', "\\", "[", "]", "{", "}", ",", " ", "é", "😀", "中", "a", "\n", ":"];
  switch (pick) {
    case 0:
      return Math.floor(next() * 1e6) - 5e5;
    case 1:
      return next() < 0.5;
    case 2:
      return null;
    case 3:
    case 4: {
      let s = "";
      const length = Math.floor(next() * 12);
      for (let i = 0; i < length; i++) {
        s += alphabet[Math.floor(next() * alphabet.length)] ?? "";
      }
      return s;
    }
    case 5:
    case 6: {
      const obj: Record<string, unknown> = {};
      const n = Math.floor(next() * 4);
      for (let i = 0; i < n; i++) {
        obj[`k${i}${String(randomValue(next, depth + 1))}`] = randomValue(next, depth + 1);
      }
      return obj;
    }
    default:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  }
}

describe("splitJsonArray", () => {
  it("yields each element of awkward input, equal to JSON.parse of the whole", async () => {
    const elements = await split(AWKWARD);
    expect(elements.map((e) => JSON.parse(e.text) as unknown)).toEqual(JSON.parse(AWKWARD));
    expect(elements.map((e) => e.position)).toEqual(elements.map((_, i) => i + 1));
  });

  it("reports each element's byte offset", async () => {
    const text = '[ {"a":1},  "é",\n2 ]';
    const bytes = utf8(text);
    const elements = await split(text);
    for (const e of elements) {
      const slice = new TextDecoder().decode(bytes.subarray(e.byteOffset));
      expect(slice.startsWith(e.text)).toBe(true);
    }
  });

  it("gives the same elements for every chunking, byte by byte included", async () => {
    const expected = await split(AWKWARD);
    const next = random(42);
    for (let round = 0; round < 300; round++) {
      const sizes = Array.from({ length: 7 }, () => Math.floor(next() * 23));
      if (!sizes.some((s) => s > 0)) {
        sizes.push(1);
      }
      const actual = await split(AWKWARD, sizes);
      expect(actual).toEqual(expected);
    }
    expect(await split(AWKWARD, [1])).toEqual(expected);
  });

  it("agrees with JSON.parse on random documents cut at random places", async () => {
    const next = random(7);
    for (let round = 0; round < 100; round++) {
      const doc = Array.from({ length: Math.floor(next() * 8) }, () => randomValue(next, 0));
      const indent = next() < 0.5 ? undefined : 2;
      const text = JSON.stringify(doc, null, indent);
      const sizes = Array.from({ length: 5 }, () => 1 + Math.floor(next() * 9));
      const elements = await split(text, sizes);
      expect(elements.map((e) => JSON.parse(e.text) as unknown)).toEqual(doc);
    }
  });

  it("copies pieces of an element, so a producer may reuse its buffer", async () => {
    const bytes = utf8('[{"a": "0123456789"}, {"b": [1, 2, 3]}]');
    async function* reusing(): AsyncGenerator<Uint8Array> {
      const buffer = new Uint8Array(4);
      for (let at = 0; at < bytes.length; at += 4) {
        const piece = bytes.subarray(at, at + 4);
        buffer.fill(0x20);
        buffer.set(piece);
        yield await Promise.resolve(buffer.subarray(0, piece.length));
      }
    }
    const elements = (await collect(splitJsonArray(reusing()))).map(asText);
    expect(elements.map((e) => JSON.parse(e.text) as unknown)).toEqual([
      { a: "0123456789" },
      { b: [1, 2, 3] },
    ]);
  });

  it("yields nothing for an empty array, with or without whitespace", async () => {
    expect(await split("[]")).toEqual([]);
    expect(await split(" \n[ \t\r\n ] \n")).toEqual([]);
  });

  it("tolerates a UTF-8 byte-order mark", async () => {
    for (const sizes of [[1 << 16], [1], [2]]) {
      const elements = await split('\uFEFF[{"a": 1}]', sizes);
      expect(elements.map((e) => e.text)).toEqual(['{"a": 1}']);
    }
    expect((await failure("\uFEFF\uFEFF[]")).code).toBe("DeserializationFailed");
  });

  it("rejects a payload that is not JSON at all (`_`) as DeserializationFailed, as Sentry does", async () => {
    for (const text of ["_", "<xml/>", "PK\u0003\u0004"]) {
      expect((await failure(text)).code).toBe("DeserializationFailed");
    }
  });

  it("rejects a top level that is not an array as InvalidExport", async () => {
    for (const text of ['{"model": "sentry.user"}', '"[]"', "1", "", "   \n"]) {
      const error = await failure(text);
      expect(error.code).toBe("InvalidExport");
      expect(error.on.position).toBeNull();
    }
  });

  it.each([
    ["[1 2]", 1, /expected ',' or ']' after element 1/],
    ['[{"a": 1} {"b": 2}]', 1, /after element 1/],
    ["[1,]", 1, /followed by the closing bracket/],
    ["[,1]", 1, /element 1 is empty/],
    ["[1,,2]", 2, /element 2 is empty/],
    ['[{"a": 1}', 1, /truncated after element 1/],
    ['[{"a": 1}, {"b": "x', 2, /truncated inside element 2/],
    ['[{"a": [1, 2}', 1, /truncated inside element 1/],
    ["[", null, /truncated after element 0/],
    ["[12", 1, /not closed/],
  ])("rejects %j as DeserializationFailed at position %s", async (text, position, reason) => {
    for (const sizes of [[1 << 16], [1], [3]]) {
      const error = await failure(text, sizes);
      expect(error.code).toBe("DeserializationFailed");
      expect(error.on.position).toBe(position);
      expect(error.message).toMatch(reason);
    }
  });

  it("rejects trailing garbage after the closing bracket", async () => {
    const error = await failure('[{"a": 1}] x');
    expect(error.code).toBe("DeserializationFailed");
    expect(error.message).toMatch(/after the closing bracket/);
    expect(error.context["byteOffset"]).toBe(11);
  });

  it("rejects an element that is not valid UTF-8", async () => {
    const bytes = new Uint8Array([...utf8('[{"a": "'), 0xff, 0xfe, ...utf8('"}]')]);
    await expect(collect(splitJsonArray(chunked(bytes, [5])))).rejects.toMatchObject({
      code: "DeserializationFailed",
      on: { position: 1 },
    });
  });

  it("rejects an element larger than the limit", async () => {
    const text = `[${JSON.stringify({ big: "x".repeat(100) })}]`;
    await expect(
      collect(splitJsonArray(chunked(utf8(text), [10]), { maxElementBytes: 50 })),
    ).rejects.toMatchObject({ code: "DeserializationFailed", on: { position: 1 } });
  });

  it("leaves malformed element contents to JSON.parse", async () => {
    // mismatched brackets still end the element at depth 0; JSON.parse rejects it later
    const elements = await split('[{"a": 1], 2]');
    expect(elements[0]?.text).toBe('{"a": 1]');
    expect(() => {
      JSON.parse(elements[0]?.text ?? "");
    }).toThrow();
  });
});
