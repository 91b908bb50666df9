/**
 * The splitter's fast path: many elements of an export parsed with one `JSON.parse`, where the
 * byte-by-byte walk would cut them out one at a time (half of the splitting and parsing time of
 * a plan pass). Export rows are Django-serialised objects whose first key is `model`, so each
 * element after the first starts where `}`, `,`, `{`, `"model"`, `:` follow each other
 * (whitespace allowed between them).
 *
 * The block is trusted only when it proves itself: in valid JSON that pattern cannot start
 * inside a string (its `"` would close the string, and `model` cannot follow a string), but it can
 * sit inside a nested value. A block parses as a JSON array only if it was cut between top-level
 * elements; and when every parsed element is an object whose first key is `model`, each
 * top-level boundary matched the pattern, so as many elements as matches plus one means none of
 * the matches was nested. Anything else (a nested match, other key orders, invalid JSON or
 * UTF-8, an element over the size limit) returns null, and the byte walk, which names the
 * position of any error, takes over.
 */
import { CLOSE_BRACE, COMMA, isWhitespace, OPEN_BRACE } from "./jsonBytes.ts";

const MODEL_KEY = new TextEncoder().encode('"model"');
const COLON = 0x3a;

export interface ElementBlock {
  /** the parsed elements, in order */
  readonly values: readonly unknown[];
  /** each element's first byte, as an index into the bytes given */
  readonly starts: readonly number[];
  /** the index of the comma after the block's last element */
  readonly end: number;
}

function skipWhitespaceBack(bytes: Uint8Array, from: number): number {
  let i = from;
  while (i >= 0 && isWhitespace(bytes[i] ?? 0)) {
    i--;
  }
  return i;
}

function skipWhitespace(bytes: Uint8Array, from: number): number {
  let i = from;
  while (i < bytes.length && isWhitespace(bytes[i] ?? 0)) {
    i++;
  }
  return i;
}

/**
 * The element boundaries after the element at `start`: for each `"model"` key that opens an
 * object right after a `}` and a comma, the object's `{` and the comma before it.
 */
function boundariesAfter(bytes: Uint8Array, start: number): { starts: number[]; commas: number[] } {
  const starts: number[] = [];
  const commas: number[] = [];
  // Buffer's indexOf searches natively; a plain Uint8Array only finds single bytes
  const searchable = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start + 1;
  for (;;) {
    const key = searchable.indexOf(MODEL_KEY, at);
    if (key === -1) {
      return { starts, commas };
    }
    at = key + MODEL_KEY.length;
    const open = skipWhitespaceBack(bytes, key - 1);
    // (the element at `start` opens with its own `model` key: not a boundary after it)
    if (open <= start || bytes[open] !== OPEN_BRACE || bytes[skipWhitespace(bytes, at)] !== COLON) {
      continue;
    }
    const comma = skipWhitespaceBack(bytes, open - 1);
    if (bytes[comma] !== COMMA || bytes[skipWhitespaceBack(bytes, comma - 1)] !== CLOSE_BRACE) {
      continue;
    }
    starts.push(open);
    commas.push(comma);
  }
}

function firstKeyIsModel(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  for (const key in value) {
    return key === "model";
  }
  return false;
}

/**
 * Parses the elements from `start` (the `{` of an element) up to the last element boundary in
 * `bytes`, or returns null when the block does not prove itself (see the module comment).
 */
export function parseElementBlock(
  bytes: Uint8Array,
  start: number,
  decoder: TextDecoder,
  maxElementBytes: number,
): ElementBlock | null {
  const { starts, commas } = boundariesAfter(bytes, start);
  const end = commas.at(-1);
  if (end === undefined) {
    return null;
  }
  // the element after the last boundary may go on in the next chunk: it is left out
  starts.pop();
  starts.unshift(start);
  for (let k = 0; k < starts.length; k += 1) {
    // element k ends before the comma that precedes the next one (commas[k])
    if ((commas[k] ?? end) - (starts[k] ?? 0) > maxElementBytes) {
      return null;
    }
  }
  let values: unknown;
  try {
    values = JSON.parse(`[${decoder.decode(bytes.subarray(start, end))}]`);
  } catch {
    return null;
  }
  if (!Array.isArray(values) || values.length !== starts.length) {
    return null;
  }
  if (!values.every(firstKeyIsModel)) {
    return null;
  }
  return { values, starts, end };
}
