/**
 * The body of a chunk task: a reference to the staged payload, never row data (a task may
 * carry at most 100 KB). Authored by us, so parsed strictly.
 */
import { z } from "zod";
import { importUuidSchema } from "../ledger/key.ts";
import { modelNameSchema } from "../pkmap.ts";

export const chunkTaskBodySchema = z.strictObject({
  kind: z.literal("chunk").default("chunk"),
  importUuid: importUuidSchema,
  model: modelNameSchema,
  minOrdinal: z.int().positive(),
  /** the staged payload in the staging bucket */
  object: z.string().min(1),
});

export type ChunkTaskBody = z.infer<typeof chunkTaskBodySchema>;

/**
 * A backup too large to plan within the event function's 540 s is planned by this task instead,
 * on the HTTP function (up to 1800 s per dispatch).
 */
export const planTaskBodySchema = z.strictObject({
  kind: z.literal("plan"),
  bucket: z.string().min(1),
  name: z.string().min(1),
  generation: z.string().regex(/^\d+$/),
});
export type PlanTaskBody = z.infer<typeof planTaskBodySchema>;

export const taskBodySchema = z.union([planTaskBodySchema, chunkTaskBodySchema]);
export type TaskBody = z.infer<typeof taskBodySchema>;
