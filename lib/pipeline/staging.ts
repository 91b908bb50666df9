/**
 * Staged chunk payloads: each chunk's rows, Fernet-encrypted under the import's own staging key
 * (kept only in Postgres), in the staging bucket. So no plaintext of a backup rests anywhere but
 * in Postgres, and the bucket alone reveals nothing.
 */
import { z } from "zod";
import type { ExportRow } from "../export/envelope.ts";
import { collectBytes, bufferSource } from "../format/byteSources.ts";
import { decryptFernetToken } from "../format/fernetDecrypt.ts";
import { encryptFernetToken } from "../format/fernetEncrypt.ts";
import { parseFernetKey } from "../format/fernetKey.ts";
import type { ImportUuid } from "../ledger/key.ts";
import { modelNameSchema } from "../pkmap.ts";
import type { ModelName } from "../registry/types.ts";

export function stagedChunkName(
  importUuid: ImportUuid,
  model: ModelName,
  minOrdinal: number,
): string {
  return `imports/${importUuid}/chunks/${model}/${String(minOrdinal).padStart(10, "0")}.fernet`;
}

export function resultsPrefix(importUuid: ImportUuid): string {
  return `imports/${importUuid}/results/`;
}

const stagedRowSchema = z.strictObject({
  position: z.int().positive(),
  model: modelNameSchema,
  pk: z.int(),
  fields: z.record(z.string(), z.unknown()),
});

export const stagedChunkSchema = z.strictObject({
  importUuid: z.string(),
  model: modelNameSchema,
  minOrdinal: z.int().positive(),
  rows: z.array(stagedRowSchema),
});
export type StagedChunk = z.infer<typeof stagedChunkSchema>;

export async function encryptStagedChunk(
  chunk: {
    readonly importUuid: ImportUuid;
    readonly model: ModelName;
    readonly minOrdinal: number;
    readonly rows: readonly ExportRow[];
  },
  stagingKey: string,
): Promise<Buffer> {
  const plaintext = Buffer.from(JSON.stringify(chunk), "utf8");
  const key = parseFernetKey(Buffer.from(stagingKey, "latin1"), "the staging key");
  return collectBytes(encryptFernetToken(bufferSource(plaintext)(), plaintext.byteLength, key));
}

export async function decryptStagedChunk(
  token: AsyncIterable<Uint8Array>,
  stagingKey: string,
  label: string,
): Promise<StagedChunk> {
  const key = parseFernetKey(Buffer.from(stagingKey, "latin1"), "the staging key");
  const plaintext = await collectBytes(decryptFernetToken(token, key, label));
  return stagedChunkSchema.parse(JSON.parse(plaintext.toString("utf8")));
}
