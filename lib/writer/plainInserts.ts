/**
 * Models written with a plain INSERT per row (recorded Inserted): `sentry.userpermission`
 * (§9.4) and `sentry.apiauthorization` (§9.9). Their skips happen in the gates before.
 */
import type { ModelSpec } from "../registry/types.ts";
import { ChunkWrites } from "./chunkWrites.ts";
import { completeValues } from "./records.ts";
import type { ModelWriter } from "./types.ts";

export function plainInsertWriter(model: ModelSpec): ModelWriter {
  return async (ctx, rows) => {
    const writes = new ChunkWrites(model);
    for (const writable of rows) {
      writes.insert(writable, completeValues(writable, ctx.now));
    }
    return writes.flush(ctx.db);
  };
}
