/**
 * A binary-safe `multipart/related` parser, for the Storage stand-in's `uploadType=multipart`
 * (part 1 the JSON resource, part 2 the bytes). Only what Google's JSON API accepts: a boundary
 * from the Content-Type, CRLF line ends, no nested multiparts.
 */

export interface MultipartPart {
  /** lower-cased header names */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

/** The boundary of a `multipart/…; boundary=…` Content-Type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^multipart\//i.test(contentType.trim())) {
    return undefined;
  }
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Splits a body into its parts; throws on a malformed body. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let cursor = body.indexOf(delimiter);
  if (cursor === -1) {
    throw new Error("multipart body has no opening boundary");
  }
  for (;;) {
    cursor += delimiter.length;
    // `--` after a delimiter closes the body
    if (body.subarray(cursor, cursor + 2).toString("latin1") === "--") {
      return parts;
    }
    if (!body.subarray(cursor, cursor + 2).equals(CRLF)) {
      throw new Error("multipart boundary is not followed by CRLF");
    }
    cursor += 2;
    const headerEnd = body.indexOf(HEADER_END, cursor);
    // a part without headers starts directly with the blank line
    const noHeaders = body.subarray(cursor, cursor + 2).equals(CRLF);
    const headersEndAt = noHeaders ? cursor : headerEnd;
    if (!noHeaders && headerEnd === -1) {
      throw new Error("multipart part has no end of headers");
    }
    const headers = parseHeaders(body.subarray(cursor, headersEndAt).toString("latin1"));
    const contentStart = headersEndAt + (noHeaders ? 2 : HEADER_END.length);
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), contentStart);
    if (next === -1) {
      throw new Error("multipart part has no closing boundary");
    }
    parts.push({ headers, body: body.subarray(contentStart, next) });
    cursor = next + CRLF.length;
  }
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  return headers;
}
