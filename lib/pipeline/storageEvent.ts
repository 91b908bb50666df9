/**
 * The `google.cloud.storage.object.v1.finalized` payload (gcp-platform.md §3.2). Google's, so
 * parsed loosely; `generation` and `size` are decimal strings on the wire (beyond 2^53).
 */
import { z } from "zod";

export const FINALIZED_EVENT_TYPE = "google.cloud.storage.object.v1.finalized";

const decimal = z.union([z.string().regex(/^\d+$/), z.int().nonnegative().transform(String)]);

export const storageObjectDataSchema = z.looseObject({
  bucket: z.string().min(1),
  name: z.string().min(1),
  generation: decimal,
  size: decimal.optional(),
  contentType: z.string().optional(),
});

export type StorageObjectData = z.infer<typeof storageObjectDataSchema>;
