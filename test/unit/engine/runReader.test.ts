import { describe, expect, it } from "vitest";
import { planImport } from "../../../lib/engine/planImport.ts";
import { readRunChunks } from "../../../lib/engine/runReader.ts";
import type { ChunkOfRows } from "../../../lib/engine/runReader.ts";
import { bufferSource } from "../../../lib/format/byteSources.ts";
import type { ImportUuid } from "../../../lib/ledger/key.ts";
import type { ByteSource } from "../../../lib/ports.ts";
import { DEFAULT_PIPELINE_SETTINGS } from "../../support/pipelineHarness.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

const UUID = "0b1a5c8e-2f4d-4a6b-9c3e-7d8f9a0b1c2d" as ImportUuid;
const EXPORT = Buffer.from(generateExportText({ seed: "run-reader", users: 30 }), "utf8");

async function allChunks(source: ByteSource): Promise<ChunkOfRows[][]> {
  const planned = await planImport(source, UUID, { ...DEFAULT_PIPELINE_SETTINGS, chunkSize: 4 });
  const runs: ChunkOfRows[][] = [];
  for (const run of planned.plan.runs) {
    const chunks: ChunkOfRows[] = [];
    const offset = planned.runOffsets.get(run.firstPosition);
    for await (const chunk of readRunChunks(source, run, null, [], {}, offset)) {
      chunks.push(chunk);
    }
    runs.push(chunks);
  }
  return runs;
}

describe("readRunChunks", () => {
  it("reads each run's chunks alike from a source that seeks to the run and one that cannot", async () => {
    const seeking = bufferSource(EXPORT, 1000);
    expect(seeking.from).toBeDefined();
    // the same bytes without `from`: the reader drops what lies before the run itself
    const streaming: ByteSource = () => seeking();
    const viaSeek = await allChunks(seeking);
    expect(viaSeek.length).toBeGreaterThan(5);
    expect(await allChunks(streaming)).toEqual(viaSeek);
    expect(viaSeek.flat().reduce((n, c) => n + c.rows.length, 0)).toBe(
      (JSON.parse(EXPORT.toString("utf8")) as unknown[]).length,
    );
  });
});
