import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

import { ArchiveError } from "../errors.ts";
import { peekPrefix } from "./prefix.ts";

export type Compression = "none" | "gzip" | "bzip2" | "xz";

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const BZIP2_MAGIC = Buffer.from("BZh", "latin1");
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** Sentry's reader (`tarfile` mode "r") accepts gzip, bzip2 and xz; we recognise all three by magic. */
export function detectCompression(prefix: Uint8Array): Compression {
  const bytes = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (startsWith(bytes, GZIP_MAGIC)) {
    return "gzip";
  }
  if (startsWith(bytes, BZIP2_MAGIC)) {
    return "bzip2";
  }
  if (startsWith(bytes, XZ_MAGIC)) {
    return "xz";
  }
  return "none";
}

/**
 * Returns the tar bytes inside `chunks`: gzip is unwrapped on the fly; bzip2 and xz would need a
 * library, so they fail with instructions to unwrap by hand. `label` names the file in messages.
 */
export async function unwrapCompression(
  chunks: AsyncIterable<Uint8Array>,
  label: string,
): Promise<AsyncIterable<Uint8Array>> {
  const { prefix, stream } = await peekPrefix(chunks, XZ_MAGIC.length);
  if (prefix.length === 0) {
    throw new ArchiveError("not_a_tar", `${label} is empty: expected a tar archive`, {
      context: { file: label },
    });
  }
  const compression = detectCompression(prefix);
  switch (compression) {
    case "none":
      return stream;
    case "gzip":
      return gunzip(stream, label);
    case "bzip2":
      throw unsupported(label, "bzip2", `bunzip2 -k ${label}`);
    case "xz":
      throw unsupported(label, "xz", `xz -dk ${label}`);
  }
}

function unsupported(label: string, kind: string, command: string): ArchiveError {
  return new ArchiveError(
    "unsupported_compression",
    `${label} is ${kind}-compressed, which sentry-import does not unwrap: run \`${command}\` ` +
      `and pass the resulting .tar instead`,
    { context: { file: label, compression: kind } },
  );
}

async function* gunzip(chunks: AsyncIterable<Uint8Array>, label: string): AsyncGenerator<Buffer> {
  const input = Readable.from(chunks, { objectMode: false });
  const inflater = createGunzip();
  input.on("error", (error) => inflater.destroy(error));
  input.pipe(inflater);
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      yield chunk;
    }
  } catch (error) {
    if (error instanceof ArchiveError) {
      throw error;
    }
    // zlib says "unexpected end of file" for a cut-off stream and "incorrect header check" or
    // "invalid …" for corruption; both mean the gzip layer cannot be trusted.
    const code = (error as NodeJS.ErrnoException).code;
    const truncatedStream = code === "Z_BUF_ERROR";
    throw new ArchiveError(
      truncatedStream ? "truncated" : "corrupt_compression",
      `${label}: the gzip stream is ${truncatedStream ? "truncated" : "corrupt"} (${(error as Error).message})`,
      { cause: error, context: { file: label } },
    );
  } finally {
    input.destroy();
    inflater.destroy();
  }
}

function startsWith(bytes: Buffer, magic: Buffer): boolean {
  return bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(magic);
}
