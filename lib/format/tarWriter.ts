import { ArchiveError } from "../errors.ts";

const BLOCK = 512;
/** Python's `tarfile` pads the archive to a 20-block record. */
export const TAR_RECORD = 10_240;
/** 11 octal digits: the largest size a plain ustar header can state. */
const MAX_USTAR_SIZE = 0o77777777777;

/**
 * One ustar header exactly as Python's `tarfile` writes a bare `TarInfo` (Sentry's writer): mode
 * 0644, uid/gid 0, empty uname/gname, mtime 0, typeflag '0', magic "ustar\0", version "00".
 */
export function ustarHeader(name: string, size: number): Buffer {
  const nameBytes = Buffer.from(name, "utf8");
  if (nameBytes.length === 0 || nameBytes.length >= 100) {
    throw new RangeError(`tar member name must be 1–99 bytes: "${name}"`);
  }
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_USTAR_SIZE) {
    throw new RangeError(`tar member "${name}" is too large for a ustar header: ${size} bytes`);
  }
  const header = Buffer.alloc(BLOCK);
  nameBytes.copy(header, 0);
  writeOctal(header, 100, 8, 0o644);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, 0);
  header.write("0", 156, "latin1");
  header.write("ustar\u000000", 257, "latin1");
  // The checksum is computed with its own field read as eight spaces.
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) {
    sum += byte;
  }
  header.write(sum.toString(8).padStart(6, "0") + "\u0000 ", 148, "latin1");
  return header;
}

export interface TarMemberInput {
  readonly name: string;
  readonly size: number;
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * Streams a plain tar of `members` in order: header, data, zero padding to 512 bytes; then two
 * zero blocks and padding to the 10,240-byte record. A body whose length differs from its
 * announced `size` fails with `length_mismatch` (the header is already out).
 */
export async function* tarStream(
  members: readonly TarMemberInput[],
): AsyncGenerator<Buffer, void, undefined> {
  let offset = 0;
  for (const member of members) {
    yield ustarHeader(member.name, member.size);
    offset += BLOCK;
    let written = 0;
    for await (const piece of member.body) {
      written += piece.byteLength;
      if (written > member.size) {
        break;
      }
      yield Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    }
    if (written !== member.size) {
      throw new ArchiveError(
        "length_mismatch",
        `tar member "${member.name}" was announced as ${member.size} bytes but ` +
          `${written > member.size ? "more" : String(written)} bytes arrived`,
        { context: { member: member.name } },
      );
    }
    offset += written;
    const padding = (BLOCK - (written % BLOCK)) % BLOCK;
    if (padding > 0) {
      yield Buffer.alloc(padding);
      offset += padding;
    }
  }
  offset += 2 * BLOCK;
  const recordPadding = (TAR_RECORD - (offset % TAR_RECORD)) % TAR_RECORD;
  yield Buffer.alloc(2 * BLOCK + recordPadding);
}

/** Writes `value` as zero-padded octal filling `width - 1` digits, then a NUL, like `tarfile`. */
function writeOctal(header: Buffer, offset: number, width: number, value: number): void {
  header.write(value.toString(8).padStart(width - 1, "0") + "\u0000", offset, "latin1");
}
