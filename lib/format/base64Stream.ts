import { DecryptionError } from "../errors.ts";

const PURE_BASE64URL = /^[A-Za-z0-9_-]*$/;
const WHITESPACE = /[\t\n\v\f\r ]/g;
const BODY_AND_PADDING = /^([A-Za-z0-9_-]*)(=*)$/;
const NOT_ALLOWED = /[^A-Za-z0-9_=-]/;

/**
 * Decodes base64url text as it streams, cutting on 4-character boundaries so no piece needs its
 * neighbour. Like Python's lenient decoder it ignores whitespace anywhere and accepts the text
 * with or without `=` padding; any other character is a `bad_token_base64` error naming `label`.
 */
export async function* decodeBase64UrlStream(
  text: AsyncIterable<Uint8Array>,
  label: string,
): AsyncGenerator<Buffer, void, undefined> {
  let carry = "";
  let dataChars = 0;
  let paddingChars = 0;
  let offset = 0;

  for await (const chunk of text) {
    const raw = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
    let body = raw;
    let padding = 0;
    if (!PURE_BASE64URL.test(raw)) {
      const parsed = splitPadding(raw, offset, label);
      body = parsed.body;
      padding = parsed.padding;
    }
    if (paddingChars > 0 && body.length > 0) {
      throw badBase64(label, `data continues after the "=" padding near character ${offset}`);
    }
    offset += raw.length;
    paddingChars += padding;
    dataChars += body.length;
    const combined = carry + body;
    const cut = combined.length - (combined.length % 4);
    carry = combined.slice(cut);
    if (cut > 0) {
      yield Buffer.from(combined.slice(0, cut), "base64url");
    }
  }

  if (carry.length === 1) {
    throw badBase64(label, `its length (${dataChars} characters) is not a valid base64 length`);
  }
  if (paddingChars > 0 && (paddingChars > 2 || (dataChars + paddingChars) % 4 !== 0)) {
    throw badBase64(label, `it has ${paddingChars} "=" padding characters after ${dataChars}`);
  }
  if (carry.length > 0) {
    yield Buffer.from(carry, "base64url");
  }
}

/** Slow path for a piece holding whitespace, padding or a stray character. */
function splitPadding(
  raw: string,
  offset: number,
  label: string,
): { body: string; padding: number } {
  const compact = raw.replace(WHITESPACE, "");
  const stray = NOT_ALLOWED.exec(compact);
  if (stray !== null) {
    const index = raw.indexOf(stray[0]);
    const code = stray[0].charCodeAt(0).toString(16).padStart(2, "0");
    throw badBase64(
      label,
      `character 0x${code} at offset ${offset + index} is not in the base64url alphabet`,
    );
  }
  const match = BODY_AND_PADDING.exec(compact);
  if (match === null) {
    throw badBase64(label, `data continues after the "=" padding near character ${offset}`);
  }
  return { body: match[1] ?? "", padding: (match[2] ?? "").length };
}

function badBase64(label: string, detail: string): DecryptionError {
  return new DecryptionError(
    "bad_token_base64",
    `${label} is not a valid Fernet token: ${detail}`,
    {
      context: { file: label },
    },
  );
}
