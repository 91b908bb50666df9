/**
 * Just enough ustar reading to pull one regular member out of a golden archive, so that the KMS
 * tests do not depend on the archive reader under test elsewhere.
 */
export function readTarMember(tar: Uint8Array, name: string): Buffer {
  const bytes = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  for (let offset = 0; offset + 512 <= bytes.length;) {
    const header = bytes.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) {
      break;
    }
    const memberName = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const size = Number.parseInt(header.subarray(124, 136).toString("ascii").trim() || "0", 8);
    const start = offset + 512;
    if (memberName === name) {
      return bytes.subarray(start, start + size);
    }
    offset = start + Math.ceil(size / 512) * 512;
  }
  throw new Error(`tar member ${name} not found`);
}
