/**
 * Measures the generator: seconds, bytes and peak RSS for a large export.
 *   npx tsx test/support/synthetic/measure.ts [users=1000000] [--legacy|--mixed] [--out FILE]
 * Without --out the bytes are counted and dropped, which measures generation alone.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateExport, writeExportFile } from "./index.ts";
import type { SyntheticExportOptions } from "./options.ts";

const args = process.argv.slice(2);
const users = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const outIndex = args.indexOf("--out");
const out = outIndex >= 0 ? (args[outIndex + 1] ?? join(tmpdir(), "synthetic-export.json")) : null;
const legacy = args.includes("--legacy") ? true : args.includes("--mixed") ? "mixed" : false;
const options: SyntheticExportOptions = { seed: 42, users, legacy, outOfScope: true };

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
const started = performance.now();
let bytes = 0;
let rows: number | null = null;
if (out === null) {
  for await (const chunk of generateExport(options)) {
    bytes += chunk.byteLength;
  }
} else {
  ({ bytes, rows } = await writeExportFile(out, options));
}
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
console.log(
  JSON.stringify({
    users,
    legacy,
    out,
    seconds: Number(seconds.toFixed(2)),
    bytes,
    rows,
    mbPerSecond: Number((bytes / 1e6 / seconds).toFixed(1)),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  }),
);
