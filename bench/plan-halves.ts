/**
 * How much of the plan pass two threads could take: times splitting, parsing and validating an
 * export on one thread, against the first part on the main thread while a worker thread reads
 * the rest of the file itself and posts back per-row facts (model, pk, the values the plan
 * pass's books read). Not the plan pass: no books are kept on either side, so the figures bound
 * what a parallel plan pass could gain; they do not measure one.
 *
 *   node bench/plan-halves.ts EXPORT.json [--share 0.5]
 *
 * The worker starts at the first element boundary after `share` of the file, found by the
 * pattern `},{"model":` (`}` `,` `{` `"model"` with optional whitespace): in valid JSON that
 * pattern cannot start inside a string, but it could start inside a nested value, which a real
 * implementation would have to detect (the main thread's splitter ending exactly there).
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { parseElement } from "../lib/export/envelope.ts";
import { parseRow } from "../lib/export/rowParser.ts";
import { splitJsonArray } from "../lib/export/splitter.ts";
import { getModel } from "../lib/registry/registry.ts";

interface Range {
  readonly path: string;
  readonly start: number;
  /** exclusive */
  readonly end: number;
  readonly open: boolean;
  readonly close: boolean;
}

async function* bytesOf(range: Range): AsyncGenerator<Uint8Array> {
  if (range.open) {
    yield Buffer.from("[");
  }
  if (range.end > range.start) {
    for await (const chunk of createReadStream(range.path, {
      start: range.start,
      end: range.end - 1,
      highWaterMark: 1 << 20,
    })) {
      yield chunk as Buffer;
    }
  }
  if (range.close) {
    yield Buffer.from("]");
  }
}

type Fact = [model: string, pk: number, values: unknown];

/** Splits, parses and validates every row of `range`; `onFact` gets each row's facts. */
async function planRange(range: Range, onFact: (fact: Fact) => void): Promise<number> {
  const ordinals = new Map<string, number>();
  let rows = 0;
  for await (const element of splitJsonArray(bytesOf(range))) {
    const row = parseElement(element);
    const ordinal = (ordinals.get(row.model) ?? 0) + 1;
    ordinals.set(row.model, ordinal);
    rows += 1;
    const spec = getModel(row.model);
    if (spec === undefined) {
      continue;
    }
    const parsed = parseRow(spec, row, ordinal);
    onFact([row.model, row.pk, parsed.values]);
  }
  return rows;
}

/** The first `},{"model":` boundary at or after `from`: the offset of its `{`. */
function boundaryAfter(path: string, from: number): { comma: number; open: number } {
  const window = Buffer.alloc(16 << 20);
  const fd = openSync(path, "r");
  const length = readSync(fd, window, 0, window.length, from);
  closeSync(fd);
  const match = /\}\s*,\s*\{\s*"model"\s*:/.exec(window.toString("latin1", 0, length));
  if (match === null) {
    throw new Error("no element boundary found after the share");
  }
  const comma = from + match.index + match[0].indexOf(",");
  const open = from + match.index + match[0].indexOf("{");
  return { comma, open };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { share: { type: "string", default: "0.5" } },
  });
  const path = positionals[0];
  if (path === undefined) {
    throw new Error("usage: node bench/plan-halves.ts EXPORT.json [--share 0.5]");
  }
  const size = statSync(path).size;

  let started = performance.now();
  let sequentialFacts = 0;
  const sequentialRows = await planRange(
    { path, start: 0, end: size, open: false, close: false },
    () => (sequentialFacts += 1),
  );
  const sequential = performance.now() - started;

  const { comma, open } = boundaryAfter(path, Math.floor(size * Number(values.share)));
  started = performance.now();
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { path, start: open, end: size, open: true, close: false } satisfies Range,
  });
  let workerFacts = 0;
  let workerRows = 0;
  const workerDone = new Promise<number>((resolve, reject) => {
    worker.on("message", (message: { facts?: Fact[]; rows?: number }) => {
      workerFacts += message.facts?.length ?? 0;
      if (message.rows !== undefined) {
        workerRows = message.rows;
        resolve(performance.now() - started);
      }
    });
    worker.on("error", reject);
  });
  let mainFacts = 0;
  const mainRows = await planRange({ path, start: 0, end: comma, open: false, close: true }, () => {
    mainFacts += 1;
  });
  const mainMs = performance.now() - started;
  const workerMs = await workerDone;
  const parallel = performance.now() - started;
  await worker.terminate();

  const check = mainRows + workerRows === sequentialRows ? "rows match" : "ROWS DIFFER";
  console.log(
    `sequential: ${(sequential / 1000).toFixed(2)} s, ${String(sequentialRows)} rows, ${String(sequentialFacts)} facts`,
  );
  console.log(
    `two threads: ${(parallel / 1000).toFixed(2)} s (main ${(mainMs / 1000).toFixed(2)} s, ${String(mainRows)} rows, ${String(mainFacts)} facts; ` +
      `worker incl. posting ${(workerMs / 1000).toFixed(2)} s, ${String(workerRows)} rows, ${String(workerFacts)} facts received); ${check}`,
  );
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

async function workerMain(range: Range): Promise<void> {
  const port = parentPort;
  if (port === null) {
    return;
  }
  let batch: Fact[] = [];
  const rows = await planRange(range, (fact) => {
    batch.push(fact);
    if (batch.length === 2000) {
      port.postMessage({ facts: batch });
      batch = [];
    }
  });
  port.postMessage({ facts: batch, rows });
}

if (isMainThread) {
  await main();
} else {
  await workerMain(workerData as Range);
}
