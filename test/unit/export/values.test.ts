import { describe, expect, it } from "vitest";
import {
  codePointLength,
  parsePythonList,
  readBitField,
  readBoolean,
  readDatetime,
  readInteger,
  readOptionValue,
  readString,
  readTextArray,
  readUserOptionValue,
  ValueError,
} from "../../../lib/export/index.ts";

describe("readDatetime", () => {
  it.each([
    ["2023-06-22T00:00:00.000Z", "2023-06-22T00:00:00.000Z"],
    // without milliseconds (exports before 23.7.1): the same instant
    ["2023-06-22T00:00:00Z", "2023-06-22T00:00:00.000Z"],
    ["2023-06-22T22:59:57.023Z", "2023-06-22T22:59:57.023Z"],
    // microseconds are kept
    ["2023-06-22T00:00:00.123456Z", "2023-06-22T00:00:00.123456Z"],
    ["2023-06-22T00:00:00.000001Z", "2023-06-22T00:00:00.000001Z"],
    ["2023-06-22T00:00:00.5Z", "2023-06-22T00:00:00.500Z"],
    // beyond microseconds is truncated, as Django does
    ["2023-06-22T00:00:00.1234567Z", "2023-06-22T00:00:00.123456Z"],
    // offsets are converted to UTC
    ["2023-06-22T02:00:00+02:00", "2023-06-22T00:00:00.000Z"],
    ["2023-06-22T02:30:00.250+0230", "2023-06-22T00:00:00.250Z"],
    ["2023-06-21T22:00:00-02", "2023-06-22T00:00:00.000Z"],
    ["2023-06-22T00:00:00+00:00", "2023-06-22T00:00:00.000Z"],
    // Django's other spellings: space separator, no seconds, naive (UTC)
    ["2023-06-22 00:00:00", "2023-06-22T00:00:00.000Z"],
    ["2023-06-22T00:00Z", "2023-06-22T00:00:00.000Z"],
    ["2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"],
    ["0050-01-01T00:00:00Z", "0050-01-01T00:00:00.000Z"],
    ["0001-01-01T00:00:00.000Z", "0001-01-01T00:00:00.000Z"],
    ["9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"],
    ["2023-06-22T00:00:00.123000Z", "2023-06-22T00:00:00.123Z"],
    ["2023-06-22T00:00:00.000000Z", "2023-06-22T00:00:00.000Z"],
    ["2023-06-22T00:00:00.12Z", "2023-06-22T00:00:00.120Z"],
  ])("reads %s", (raw, expected) => {
    expect(readDatetime(raw)).toBe(expected);
  });

  it.each([
    "not-a-date",
    "2023-06-22",
    "2023-13-01T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2023-02-30T00:00:00.000Z",
    "2023-04-31T00:00:00.000000Z",
    "2023-06-22T24:00:00.000Z",
    "2023-06-22T0a:00:00.000Z",
    "2023-06-22t00:00:00.000Z",
    "2023-06-22T00:00:00.00aZ",
    "2023-06-22T24:00:00Z",
    "2023-06-22T00:60:00Z",
    "2023-06-22T00:00:60Z",
    "2023-06-22T00:00:00+25:00",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "2023-06-22T00:00:00ZZ",
    "",
  ])("rejects %j", (raw) => {
    expect(() => readDatetime(raw)).toThrow(ValueError);
  });

  it("reads Sentry's canonical UTC form exactly as the general parser reads its +00:00 twin", () => {
    let seed = 42;
    // a fixed pseudo-random sequence (Park–Miller), so a failure reproduces
    const next = (): number => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let i = 0; i < 2000; i += 1) {
      // instants from year 1 to 9999, with microseconds and without milliseconds too
      const instant = -62_135_596_800_000 + Math.floor(next() * 315_537_897_599_000);
      const iso = new Date(instant).toISOString();
      const micros = String(Math.floor(next() * 1000)).padStart(3, "0");
      for (const canonical of [iso, `${iso.slice(0, -1)}${micros}Z`, `${iso.slice(0, 19)}Z`]) {
        const twin = `${canonical.slice(0, -1)}+00:00`;
        expect([canonical, readDatetime(canonical)]).toEqual([canonical, readDatetime(twin)]);
      }
    }
  });

  it("rejects non-strings", () => {
    expect(() => readDatetime(1687392000)).toThrow(/expected a datetime string/);
    expect(() => readDatetime(null)).toThrow(ValueError);
  });
});

describe("readBoolean", () => {
  it("reads JSON booleans and Django's other spellings", () => {
    expect([true, 1, "t", "True", "1"].map(readBoolean)).toEqual([true, true, true, true, true]);
    expect([false, 0, "f", "False", "0"].map(readBoolean)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it.each([["true"], ["yes"], [2], [null], [[]], [{}]])("rejects %j", (raw) => {
    expect(() => readBoolean(raw)).toThrow(/expected a boolean/);
  });
});

describe("readBitField", () => {
  it("reads decimal strings and integers as canonical decimal strings", () => {
    expect(readBitField("0")).toBe("0");
    expect(readBitField("10")).toBe("10");
    expect(readBitField("007")).toBe("7");
    expect(readBitField(3)).toBe("3");
    expect(readBitField("-1")).toBe("-1");
  });

  it("keeps values beyond 2^53 exact", () => {
    expect(readBitField("9223372036854775807")).toBe("9223372036854775807");
    expect(readBitField("9007199254740993")).toBe("9007199254740993");
  });

  it.each([["9223372036854775808"], ["1.5"], ["abc"], [""], [1.5], [2 ** 60], [null], [true]])(
    "rejects %j",
    (raw) => {
      expect(() => readBitField(raw)).toThrow(ValueError);
    },
  );
});

describe("readInteger and readString", () => {
  it("accepts JSON integers only", () => {
    expect(readInteger(12)).toBe(12);
    expect(readInteger(-3)).toBe(-3);
    expect(() => readInteger("12")).toThrow(/expected an integer/);
    expect(() => readInteger(1.5)).toThrow(ValueError);
    expect(() => readInteger(2 ** 60)).toThrow(ValueError);
  });

  it("accepts JSON strings only", () => {
    expect(readString("")).toBe("");
    expect(() => readString(12)).toThrow(/expected a string, got 12/);
  });

  it("counts characters as code points", () => {
    expect(codePointLength("abc")).toBe(3);
    expect(codePointLength("😀😀")).toBe(2);
    expect(codePointLength("é")).toBe(1);
    // a lone surrogate counts as one character
    expect(codePointLength("\ud83d")).toBe(1);
  });
});

describe("readTextArray (§8.2)", () => {
  const expected = ["broadcasts.admin", "users.admin", "options.admin"];

  it("uses a JSON array of strings as-is, keeping order and duplicates", () => {
    expect(readTextArray(["b", "a", "b"])).toEqual(["b", "a", "b"]);
    expect(readTextArray([])).toEqual([]);
  });

  it("reads JSON text", () => {
    expect(readTextArray("[]")).toEqual([]);
    expect(readTextArray('["a", "b"]')).toEqual(["a", "b"]);
  });

  it("reads the Python literal of user-with-maximum-privileges.json", () => {
    expect(readTextArray("['broadcasts.admin', 'users.admin', 'options.admin']")).toEqual(expected);
  });

  it.each([
    ["['a']", ["a"]],
    ["[\"a\", 'b']", ["a", "b"]],
    ["[ 'a' , 'b' , ]", ["a", "b"]],
    ["['a',]", ["a"]],
    ["[u'a', U\"b\"]", ["a", "b"]],
    ["[]", []],
    ["  [  ]  ", []],
    ['[\'it\\\'s\', "say \\"hi\\""]', ["it's", 'say "hi"']],
    ["['back\\\\slash']", ["back\\slash"]],
    ["['\\n\\t\\r\\x41\\u00e9\\U0001F600\\101\\0']", ["\n\t\rAé😀A\0"]],
    ["['keeps \\d unknown escapes']", ["keeps \\d unknown escapes"]],
    ["['with ] and , inside']", ["with ] and , inside"]],
    ["['é 中文']", ["é 中文"]],
  ])("reads the Python literal %s", (text, list) => {
    expect(parsePythonList(text)).toEqual(list);
    expect(readTextArray(text)).toEqual(list);
  });

  it.each([
    ["['a'"],
    ["['a' 'b']"],
    ["[,]"],
    ["['a',,]"],
    ["[1, 2]"],
    ["['a'] x"],
    ["['unterminated]"],
    ["['bad \\x4']"],
    ["[b'bytes']"],
    ["users.admin"],
  ])("rejects %s", (text) => {
    expect(() => readTextArray(text)).toThrow(ValueError);
  });

  it("rejects JSON that is not a list of strings", () => {
    expect(() => readTextArray('"a"')).toThrow(/expected a list of strings/);
    expect(() => readTextArray("[1]")).toThrow(ValueError);
    expect(() => readTextArray([1])).toThrow(ValueError);
    expect(() => readTextArray({})).toThrow(ValueError);
    expect(() => readTextArray(3)).toThrow(ValueError);
  });
});

describe("readOptionValue (§8.3, PickledObjectField)", () => {
  it.each([
    ['"23.6.1"', "23.6.1"],
    ["23.6.1", "23.6.1"],
    ["1bc81f9440424e908a73ca377581cb52682db68a", "1bc81f9440424e908a73ca377581cb52682db68a"],
    // the quirk: the string "123" becomes the number 123
    ["123", 123],
    ["true", true],
    ["null", null],
    ['{"a": [1]}', { a: [1] }],
    ["", ""],
  ])("reads the string %j", (raw, expected) => {
    expect(readOptionValue(raw)).toEqual(expected);
  });

  it("uses non-string JSON values as-is", () => {
    expect(readOptionValue(1687902001.2623305)).toBe(1687902001.2623305);
    expect(readOptionValue(false)).toBe(false);
    expect(readOptionValue(null)).toBeNull();
    expect(readOptionValue(["*"])).toEqual(["*"]);
    expect(readOptionValue({ k: "v" })).toEqual({ k: "v" });
  });
});

describe("readUserOptionValue (§8.3, decision a)", () => {
  it("decodes a JSON string literal once", () => {
    expect(readUserOptionValue('"Europe/Vienna"')).toBe("Europe/Vienna");
    expect(readUserOptionValue('"\\"twice\\""')).toBe('"twice"');
    expect(readUserOptionValue('""')).toBe("");
  });

  it("keeps every other value as given", () => {
    expect(readUserOptionValue("Europe/Vienna")).toBe("Europe/Vienna");
    expect(readUserOptionValue("10")).toBe("10");
    expect(readUserOptionValue("true")).toBe("true");
    expect(readUserOptionValue('"unbalanced')).toBe('"unbalanced');
    expect(readUserOptionValue('"a" "b"')).toBe('"a" "b"');
    expect(readUserOptionValue('"')).toBe('"');
    expect(readUserOptionValue(10)).toBe(10);
    expect(readUserOptionValue(null)).toBeNull();
    expect(readUserOptionValue({ a: 1 })).toEqual({ a: 1 });
  });
});
