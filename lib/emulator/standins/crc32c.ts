/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven. The stand-ins compute the
 * checksums Google's services report without depending on any Google SDK: `lib/emulator/` runs
 * the servers the real clients talk to, so it must not share code with those clients. Check
 * value: `crc32c("123456789") === 0xe3069283`.
 */

const TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) {
      c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

/** The unsigned CRC32C of `bytes`, continuing from `previous` when hashing in pieces. */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (const byte of bytes) {
    crc = (TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Cloud Storage's form: base64 of the big-endian 4-byte value (e.g. `8P9ykg==` for "hello world\n"). */
export function crc32cBase64(bytes: Uint8Array): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32c(bytes));
  return out.toString("base64");
}
