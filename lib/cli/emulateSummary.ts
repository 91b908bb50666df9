/** The run's stored counts, read back as a summary (they were written by `summarise`). */
import { z } from "zod";
import type { ImportSummary } from "../engine/summary.ts";
import { modelNameSchema } from "../pkmap.ts";

const summarySchema = z.looseObject({
  models: z.array(
    z.looseObject({
      model: modelNameSchema,
      rows: z.number(),
      inserted: z.number(),
      existing: z.number(),
      overwritten: z.number(),
      skipped: z.number(),
    }),
  ),
  skippedModels: z.array(
    z.looseObject({ model: modelNameSchema, rows: z.number(), reason: z.string() }),
  ),
});

export function summariseSchemaless(counts: unknown): ImportSummary | null {
  const parsed = summarySchema.safeParse(counts);
  return parsed.success ? parsed.data : null;
}
