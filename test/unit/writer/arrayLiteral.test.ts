import { describe, expect, it } from "vitest";
import { arrayLiteral } from "../../../lib/writer/arrayLiteral.ts";

describe("arrayLiteral", () => {
  it("writes numbers, booleans and nulls bare, and every string quoted", () => {
    expect(arrayLiteral([1, -2, 3.5, true, false, null, undefined, 12n])).toBe(
      "{1,-2,3.5,t,f,NULL,NULL,12}",
    );
    expect(arrayLiteral(["a", "", "NULL", " b ", "c,d", "{e}"])).toBe(
      '{"a","","NULL"," b ","c,d","{e}"}',
    );
    expect(arrayLiteral([])).toBe("{}");
  });

  it("escapes quotes and backslashes inside strings", () => {
    expect(arrayLiteral(['say "hi"', "C:\\path", '\\"'])).toBe(
      '{"say \\"hi\\"","C:\\\\path","\\\\\\""}',
    );
  });

  it("refuses what Postgres could not read back as the same value", () => {
    expect(() => arrayLiteral([Number.NaN])).toThrow(TypeError);
    expect(() => arrayLiteral([{ a: 1 }])).toThrow(TypeError);
  });
});
