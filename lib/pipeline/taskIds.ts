import { createHash } from "node:crypto";
import type { ImportUuid } from "../ledger/key.ts";
import type { ModelName } from "../registry/types.ts";

/**
 * Cloud Tasks ids for chunk tasks (gcp-platform.md §6.3). The id is a pure function of the
 * ledger key, so re-planning the same import names the same tasks and Cloud Tasks refuses the
 * duplicates (ALREADY_EXISTS) within its de-duplication window. A hash comes first: sequential
 * names (shared prefixes) concentrate load on one part of the queue's key space, which Google
 * documents as raising latency and error rates.
 */

/** `[A-Za-z0-9_-]`, at most 500 characters */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,500}$/;

// what is left after the 16-character hash, two dashes and a 16-digit ordinal
const MAX_MODEL_PART = 500 - 16 - 2 - 16;

/** `${sha256("uuid:model:minOrdinal").slice(0, 16)}-${model with "." → "-"}-${minOrdinal}` */
export function taskIdFor(importUuid: ImportUuid, model: ModelName, minOrdinal: number): string {
  if (!Number.isSafeInteger(minOrdinal) || minOrdinal < 1) {
    throw new RangeError(`a chunk's minOrdinal is a positive integer, not ${minOrdinal}`);
  }
  const hash = createHash("sha256")
    .update(`${importUuid}:${model}:${String(minOrdinal)}`)
    .digest("hex")
    .slice(0, 16);
  // Model names are `app.model`; anything outside the id alphabet becomes "-" as well. The
  // readable part is for people reading queue logs; uniqueness comes from the hash.
  const readable = model.replace(/[^A-Za-z0-9_]/g, "-").slice(0, MAX_MODEL_PART);
  return `${hash}-${readable}-${String(minOrdinal)}`;
}
