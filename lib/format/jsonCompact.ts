import { ImportFailure } from "../errors.ts";

/**
 * A streaming JSON checker that drops the whitespace between tokens, for `backup encrypt`
 * (Sentry parses its input and re-serialises it compactly). Strings, numbers and escapes are
 * passed through as written, so the output parses to the same value; it is not byte-identical to
 * orjson (which would also rewrite escapes), and consumers must parse anyway (§9). UTF-8 inside
 * strings is not validated.
 */
export interface JsonCompactor {
  /** Checks one piece and returns the compact bytes it contributes (views into `chunk`). */
  push(chunk: Uint8Array): Uint8Array[];
  /** Fails unless exactly one complete JSON value was seen. */
  end(): void;
}

// Parser states. Plain numbers keep the hot loop free of string comparisons.
const VALUE = 0; // a value is expected
const ARRAY_FIRST = 1; // after "[": a value or "]"
const OBJECT_FIRST = 2; // after "{": a key or "}"
const KEY = 3; // after "," in an object: a key
const COLON = 4;
const AFTER = 5; // after a value: "," or a closing bracket
const STRING = 6;
const ESCAPE = 7;
const UNICODE = 8;
const LITERAL = 9;
const N_MINUS = 10;
const N_ZERO = 11;
const N_INT = 12;
const N_DOT = 13;
const N_FRAC = 14;
const N_EXP = 15;
const N_EXP_SIGN = 16;
const N_EXP_DIGITS = 17;
const DONE = 18;

const LITERALS: Record<number, Buffer> = {
  0x74: Buffer.from("true"),
  0x66: Buffer.from("false"),
  0x6e: Buffer.from("null"),
};

export function createJsonCompactor(label: string): JsonCompactor {
  let state = VALUE;
  // One entry per open container: true for an object, false for an array.
  const stack: boolean[] = [];
  let stringIsKey = false;
  let hexLeft = 0;
  let literal = LITERALS[0x74] ?? Buffer.alloc(0);
  let literalIndex = 0;
  let offset = 0;

  const fail = (at: number, detail: string): never => {
    throw new ImportFailure(
      "InvalidExport",
      `Invalid input JSON in ${label} at byte ${at}: ${detail}`,
      {
        on: { model: null, ordinal: null, file: label },
        context: { file: label, offset: at },
      },
    );
  };

  const valueDone = (): void => {
    state = stack.length === 0 ? DONE : AFTER;
  };

  /** Handles a byte where a value or structural character may appear. */
  const structural = (byte: number, at: number): void => {
    switch (state) {
      case VALUE:
      case ARRAY_FIRST:
        if (byte === 0x5d && state === ARRAY_FIRST) {
          stack.pop();
          valueDone();
          return;
        }
        startValue(byte, at);
        return;
      case OBJECT_FIRST:
      case KEY:
        if (byte === 0x7d && state === OBJECT_FIRST) {
          stack.pop();
          valueDone();
          return;
        }
        if (byte !== 0x22) {
          fail(at, `expected a string key, found ${show(byte)}`);
        }
        stringIsKey = true;
        state = STRING;
        return;
      case COLON:
        if (byte !== 0x3a) {
          fail(at, `expected ":", found ${show(byte)}`);
        }
        state = VALUE;
        return;
      case AFTER: {
        const inObject = stack[stack.length - 1] === true;
        if (byte === 0x2c) {
          state = inObject ? KEY : VALUE;
          return;
        }
        if ((byte === 0x7d && inObject) || (byte === 0x5d && !inObject)) {
          stack.pop();
          valueDone();
          return;
        }
        fail(at, `expected "," or "${inObject ? "}" : "]"}", found ${show(byte)}`);
        return;
      }
      case DONE:
        fail(at, `unexpected ${show(byte)} after the end of the JSON value`);
        return;
      default:
        fail(at, "internal parser state error");
    }
  };

  const startValue = (byte: number, at: number): void => {
    if (byte === 0x7b) {
      stack.push(true);
      state = OBJECT_FIRST;
    } else if (byte === 0x5b) {
      stack.push(false);
      state = ARRAY_FIRST;
    } else if (byte === 0x22) {
      stringIsKey = false;
      state = STRING;
    } else if (byte === 0x2d) {
      state = N_MINUS;
    } else if (byte === 0x30) {
      state = N_ZERO;
    } else if (byte >= 0x31 && byte <= 0x39) {
      state = N_INT;
    } else if (LITERALS[byte] !== undefined) {
      literal = LITERALS[byte];
      literalIndex = 1;
      state = LITERAL;
    } else {
      fail(at, `expected a JSON value, found ${show(byte)}`);
    }
  };

  /** Number states: returns false when the byte ends the number (to be re-read as structure). */
  const number = (byte: number, at: number): boolean => {
    const digit = byte >= 0x30 && byte <= 0x39;
    switch (state) {
      case N_MINUS:
        if (!digit) {
          fail(at, "expected a digit after '-'");
        }
        state = byte === 0x30 ? N_ZERO : N_INT;
        return true;
      case N_ZERO:
      case N_INT:
        if (digit && state === N_INT) {
          return true;
        }
        if (digit) {
          fail(at, "leading zeros are not allowed");
        }
        if (byte === 0x2e) {
          state = N_DOT;
          return true;
        }
        if (byte === 0x65 || byte === 0x45) {
          state = N_EXP;
          return true;
        }
        return false;
      case N_DOT:
        if (!digit) {
          fail(at, "expected a digit after '.'");
        }
        state = N_FRAC;
        return true;
      case N_FRAC:
        if (digit) {
          return true;
        }
        if (byte === 0x65 || byte === 0x45) {
          state = N_EXP;
          return true;
        }
        return false;
      case N_EXP:
        if (byte === 0x2b || byte === 0x2d) {
          state = N_EXP_SIGN;
          return true;
        }
        if (!digit) {
          fail(at, "expected a digit in the exponent");
        }
        state = N_EXP_DIGITS;
        return true;
      case N_EXP_SIGN:
        if (!digit) {
          fail(at, "expected a digit in the exponent");
        }
        state = N_EXP_DIGITS;
        return true;
      default:
        return digit;
    }
  };

  return {
    push(chunk) {
      const out: Uint8Array[] = [];
      let segmentStart = 0;
      for (let i = 0; i < chunk.length; i += 1) {
        const byte = chunk[i] ?? 0;
        const at = offset + i;
        if (state === STRING) {
          if (byte === 0x22) {
            if (stringIsKey) {
              state = COLON;
            } else {
              valueDone();
            }
          } else if (byte === 0x5c) {
            state = ESCAPE;
          } else if (byte < 0x20) {
            fail(at, "unescaped control character in a string");
          }
          continue;
        }
        if (state === ESCAPE) {
          if (byte === 0x75) {
            hexLeft = 4;
            state = UNICODE;
          } else if ('"\\/bfnrt'.includes(String.fromCharCode(byte))) {
            state = STRING;
          } else {
            fail(at, `invalid escape \\${String.fromCharCode(byte)}`);
          }
          continue;
        }
        if (state === UNICODE) {
          if (!isHex(byte)) {
            fail(at, "invalid \\u escape");
          }
          hexLeft -= 1;
          if (hexLeft === 0) {
            state = STRING;
          }
          continue;
        }
        if (state === LITERAL) {
          if (byte !== literal[literalIndex]) {
            fail(at, `invalid literal (expected "${literal.toString()}")`);
          }
          literalIndex += 1;
          if (literalIndex === literal.length) {
            valueDone();
          }
          continue;
        }
        if (state >= N_MINUS && state <= N_EXP_DIGITS) {
          if (number(byte, at)) {
            continue;
          }
          valueDone();
        }
        if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) {
          if (i > segmentStart) {
            out.push(chunk.subarray(segmentStart, i));
          }
          segmentStart = i + 1;
          continue;
        }
        structural(byte, at);
      }
      if (chunk.length > segmentStart) {
        out.push(chunk.subarray(segmentStart));
      }
      offset += chunk.length;
      return out;
    },
    end() {
      if (state === N_ZERO || state === N_INT || state === N_FRAC || state === N_EXP_DIGITS) {
        valueDone();
      }
      if (state !== DONE) {
        fail(offset, offset === 0 ? "the input is empty" : "the JSON value is incomplete");
      }
    },
  };
}

/** Streams the compact form of a JSON document, failing on the first syntax error. */
export async function* compactJsonStream(
  chunks: AsyncIterable<Uint8Array>,
  label: string,
): AsyncGenerator<Uint8Array, void, undefined> {
  const compactor = createJsonCompactor(label);
  for await (const chunk of chunks) {
    yield* compactor.push(chunk);
  }
  compactor.end();
}

/** Validates a JSON document and returns the length of its compact form (first pass). */
export async function measureCompactJson(
  chunks: AsyncIterable<Uint8Array>,
  label: string,
): Promise<number> {
  const compactor = createJsonCompactor(label);
  let length = 0;
  for await (const chunk of chunks) {
    for (const piece of compactor.push(chunk)) {
      length += piece.length;
    }
  }
  compactor.end();
  return length;
}

function isHex(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x46) ||
    (byte >= 0x61 && byte <= 0x66)
  );
}

function show(byte: number): string {
  return byte >= 0x20 && byte < 0x7f
    ? `"${String.fromCharCode(byte)}"`
    : `byte 0x${byte.toString(16)}`;
}
