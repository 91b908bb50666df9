/**
 * Array fields: `sentry.userrole.permissions`, `scope_list` (import-semantics.md §8.2).
 * Current exports hold a JSON array; older ones a JSON text (`"[]"`) or the Python `repr` of a
 * list (`"['users.admin']"`, backup-format.md §10). Order and duplicates are preserved.
 */
import { describeValue, ValueError } from "./valueError.ts";

function stringsOnly(list: readonly unknown[], raw: unknown): string[] {
  const out: string[] = [];
  for (const item of list) {
    if (typeof item !== "string") {
      throw new ValueError(`expected a list of strings, got ${describeValue(raw)}`);
    }
    out.push(item);
  }
  return out;
}

/** Reads an array field; see the module comment. */
export function readTextArray(raw: unknown): string[] {
  if (Array.isArray(raw)) {
    return stringsOnly(raw, raw);
  }
  if (typeof raw !== "string") {
    throw new ValueError(`expected a list of strings, got ${describeValue(raw)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return parsePythonList(raw);
  }
  if (!Array.isArray(parsed)) {
    throw new ValueError(`expected a list of strings, got ${describeValue(raw)}`);
  }
  return stringsOnly(parsed, raw);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";
}

/**
 * A Python list literal of str literals, as `repr(list)` writes it and `ast.literal_eval` reads
 * it: `[`, `]`, comma-separated single- or double-quoted strings (optionally `u`-prefixed, from
 * Python 2), Python escapes, whitespace, and an optional trailing comma.
 */
export function parsePythonList(text: string): string[] {
  let i = 0;
  const fail = (what: string): never => {
    throw new ValueError(`not a list literal (${what} at ${i}): ${describeValue(text)}`);
  };
  const skipSpace = (): void => {
    while (isSpace(text[i])) {
      i++;
    }
  };

  const readHex = (count: number): number => {
    const digits = text.slice(i, i + count);
    if (digits.length !== count || !/^[0-9a-fA-F]+$/.test(digits)) {
      fail("bad escape");
    }
    i += count;
    return parseInt(digits, 16);
  };

  const readStringLiteral = (): string => {
    if (text[i] === "u" || text[i] === "U") {
      i++;
    }
    const quote = text[i];
    if (quote !== "'" && quote !== '"') {
      return fail("expected a quoted string");
    }
    i++;
    let out = "";
    for (;;) {
      const c = text[i];
      if (c === undefined || c === "\n") {
        return fail("unterminated string");
      }
      i++;
      if (c === quote) {
        return out;
      }
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = text[i];
      if (e === undefined) {
        return fail("unterminated string");
      }
      i++;
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
      } else if (e === "\n") {
        // a backslash-newline continues the line
      } else if (e === "x") {
        out += String.fromCharCode(readHex(2));
      } else if (e === "u") {
        out += String.fromCharCode(readHex(4));
      } else if (e === "U") {
        const cp = readHex(8);
        if (cp > 0x10ffff) {
          fail("bad escape");
        }
        out += String.fromCodePoint(cp);
      } else if (e >= "0" && e <= "7") {
        let digits = e;
        let next = text[i];
        while (digits.length < 3 && next !== undefined && next >= "0" && next <= "7") {
          digits += next;
          i++;
          next = text[i];
        }
        out += String.fromCharCode(parseInt(digits, 8));
      } else {
        // Python keeps unrecognised escapes as written
        out += `\\${e}`;
      }
    }
  };

  skipSpace();
  if (text[i] !== "[") {
    fail("expected '['");
  }
  i++;
  const items: string[] = [];
  skipSpace();
  while (text[i] !== "]") {
    items.push(readStringLiteral());
    skipSpace();
    if (text[i] === ",") {
      i++;
      skipSpace();
    } else if (text[i] !== "]") {
      fail("expected ',' or ']'");
    }
  }
  i++;
  skipSpace();
  if (i !== text.length) {
    fail("unexpected text after ']'");
  }
  return items;
}
