/**
 * When a run ends, its findings (Sentry's format) and summary are written to the staging bucket
 * under `imports/<uuid>/results/`. Create-if-absent: a redelivered task that ends the run again
 * rewrites nothing, and one that crashed before writing them writes them on redelivery.
 */
import type { Finding } from "../findings.ts";
import { formatFindingsJson } from "../findings.ts";
import type { ImportUuid } from "../ledger/key.ts";
import type { PipelineDeps } from "./deps.ts";
import { resultsPrefix } from "./staging.ts";

export async function publishResults(
  deps: Pick<PipelineDeps, "blobs" | "stagingBucket">,
  importUuid: ImportUuid,
  result: {
    readonly status: "completed" | "failed";
    readonly summary: unknown;
    readonly findings: readonly Finding[];
  },
): Promise<void> {
  const prefix = resultsPrefix(importUuid);
  const json = { contentType: "application/json" };
  await deps.blobs.putIfAbsent(
    { bucket: deps.stagingBucket, name: `${prefix}findings.json` },
    Buffer.from(`${formatFindingsJson(result.findings)}\n`, "utf8"),
    json,
  );
  await deps.blobs.putIfAbsent(
    { bucket: deps.stagingBucket, name: `${prefix}summary.json` },
    Buffer.from(
      `${JSON.stringify({ importUuid, status: result.status, summary: result.summary }, null, 2)}\n`,
      "utf8",
    ),
    json,
  );
}
