/** The ASCII bytes of JSON's structure, and the string scanner the splitter relies on. */

export const SPACE = 0x20;
export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const COMMA = 0x2c;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const BOM = [0xef, 0xbb, 0xbf] as const;

export function isWhitespace(b: number): boolean {
  return b === SPACE || b === LF || b === CR || b === TAB;
}

/** `scanString` results for a string still open at the end of the chunk. */
export const OPEN = -1;
export const OPEN_ESCAPED = -2;

/**
 * Finds the end of a JSON string that is open at `from` (`escaped`: the previous byte was an
 * unpaired backslash). Returns the index just past the closing quote, or `OPEN`/`OPEN_ESCAPED`
 * when the chunk ends first. Native `indexOf` does the scanning: most of an export's bytes are
 * inside strings.
 */
export function scanString(chunk: Uint8Array, from: number, escaped: boolean): number {
  const n = chunk.length;
  let i = from;
  if (escaped) {
    if (i >= n) {
      return OPEN_ESCAPED;
    }
    i++;
  }
  for (;;) {
    const quote = chunk.indexOf(QUOTE, i);
    const end = quote === -1 ? n : quote;
    // an odd run of backslashes right before `end` escapes it
    let k = end - 1;
    while (k >= i && chunk[k] === BACKSLASH) {
      k--;
    }
    const odd = (end - 1 - k) % 2 === 1;
    if (quote === -1) {
      return odd ? OPEN_ESCAPED : OPEN;
    }
    if (!odd) {
      return quote + 1;
    }
    i = quote + 1;
  }
}
