import { CRC32C } from "@google-cloud/storage";

/**
 * CRC32C (Castagnoli), as Cloud KMS uses for request and response integrity. Not `zlib.crc32`,
 * which is IEEE CRC-32. Storage's implementation returns a signed 32-bit value; KMS sends the
 * unsigned one as a decimal string, hence `>>> 0`.
 */
export function crc32c(bytes: Uint8Array): number {
  const hash = new CRC32C();
  // `update` is typed for Buffer; wrap without copying.
  hash.update(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return hash.valueOf() >>> 0;
}
