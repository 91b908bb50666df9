/**
 * Deterministic Cloud Tasks ids (gcp-platform.md §6.3): the same chunk always gets the same id,
 * so a second enqueue is refused with ALREADY_EXISTS; a hash comes first because sequential ids
 * slow a queue down.
 */
import { createHash } from "node:crypto";

export function taskIdFor(importUuid: string, model: string, minOrdinal: number): string {
  const hash = createHash("sha256")
    .update(`${importUuid}:${model}:${String(minOrdinal)}`)
    .digest("hex")
    .slice(0, 16);
  return `${hash}-${model.replaceAll(/[^A-Za-z0-9_-]/g, "-")}-${String(minOrdinal)}`;
}
