/**
 * The import id of a backup object: a UUIDv5 of `gs://bucket/name#generation` (§12.5), so a
 * redelivered finalize event maps to the same import and a new upload of the same name (a new
 * generation) to a new one.
 */
import { createHash } from "node:crypto";
import { importUuid } from "../ledger/key.ts";
import type { ImportUuid } from "../ledger/key.ts";

/** Our namespace for UUIDv5 names (a fixed random UUID). */
const NAMESPACE = "6f6d2b0e-3b53-4c1b-9a8e-5e1c7d0b2a41";

export function uuidV5(name: string, namespace: string = NAMESPACE): string {
  const hash = createHash("sha1")
    .update(Buffer.from(namespace.replaceAll("-", ""), "hex"))
    .update(name, "utf8")
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function backupObjectUri(bucket: string, name: string, generation: string): string {
  return `gs://${bucket}/${name}#${generation}`;
}

export function importUuidForObject(bucket: string, name: string, generation: string): ImportUuid {
  return importUuid(uuidV5(backupObjectUri(bucket, name, generation)));
}
