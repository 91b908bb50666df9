/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by source
 * file, heaviest first. Used by `bench/run.ts --profile`; also runnable on its own:
 *
 *   npx tsx bench/cpuprofile-summary.ts FILE.cpuprofile [top=30]
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function shortUrl(url: string): string {
  if (url === "") {
    return "(native)";
  }
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const modules = path.lastIndexOf("node_modules/");
  if (modules >= 0) {
    return path.slice(modules + "node_modules/".length);
  }
  const lib = path.search(/\/(lib|bench|test)\//);
  return lib >= 0 ? path.slice(lib + 1) : path;
}

function table(entries: Map<string, number>, total: number, top: number): string[] {
  return [...entries.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([name, us]) =>
        `${(us / 1e6).toFixed(2).padStart(8)} s ${`${((100 * us) / total).toFixed(1)}%`.padStart(6)}  ${name}`,
    );
}

export function summariseCpuProfile(path: string, top = 30): string {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfById = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfById) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) {
      continue;
    }
    total += us;
    const file = shortUrl(frame.url);
    const name = `${frame.functionName === "" ? "(anonymous)" : frame.functionName}  ${file}:${String(frame.lineNumber + 1)}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const fileKey = file.startsWith("(") ? `${frame.functionName} ${file}` : file;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  }
  return [
    `sampled ${(total / 1e6).toFixed(1)} s; self time by function:`,
    ...table(byFunction, total, top),
    "self time by file:",
    ...table(byFile, total, top),
  ].join("\n");
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [path, top] = process.argv.slice(2);
  if (path === undefined) {
    throw new Error("usage: cpuprofile-summary.ts FILE.cpuprofile [top]");
  }
  process.stdout.write(`${summariseCpuProfile(path, Number(top ?? 30))}\n`);
}
