import { createWriteStream } from "node:fs";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { generateExport, type ModelCounts } from "./generate.ts";
import type { SyntheticExportOptions } from "./options.ts";

export interface WrittenExport {
  readonly bytes: number;
  readonly rows: number;
  readonly countsByModel: Record<string, number>;
}

/** Streams a synthetic export to `path` (with back-pressure) and reports what it wrote. */
export async function writeExportFile(
  path: string,
  options: SyntheticExportOptions,
): Promise<WrittenExport> {
  const tally: ModelCounts = {};
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(Readable.from(generateExport(options, tally)), counter, createWriteStream(path));
  const countsByModel: Record<string, number> = { ...tally };
  const rows = Object.values(countsByModel).reduce((sum, n) => sum + n, 0);
  return { bytes, rows, countsByModel };
}
