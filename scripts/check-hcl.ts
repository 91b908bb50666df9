/**
 * Offline gates for the Terraform in infra/ (gcp-platform.md §8.3), run by `npm run lint`:
 * every `.tf` file parses as HCL2 (@cdktf/hcl2json, HashiCorp's parser compiled to WASM) and is
 * formatted exactly as `terraform fmt` formats it (@cdktf/hcl-tools runs hclwrite's formatter,
 * the one `fmt` uses; real `fmt` adds a few normalisations of its own, so Cloud Build still runs
 * `terraform fmt -check`). There is no terraform binary here: validate and plan run in Cloud Build.
 *
 *   tsx scripts/check-hcl.ts [DIR]      (DIR defaults to infra/)
 */
import { readdir, readFile } from "node:fs/promises";
import { realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "@cdktf/hcl2json";
import { format } from "@cdktf/hcl-tools";

export interface HclSource {
  /** shown in problems; also the name the parser reports errors against */
  readonly name: string;
  readonly source: string;
}

export interface HclProblem {
  readonly file: string;
  readonly kind: "syntax" | "format";
  readonly message: string;
}

/** Terraform's own working folders are never checked. */
const SKIPPED_DIRS = new Set([".terraform", ".build", "node_modules"]);

/** Every `*.tf` under `dir`, sorted, as paths relative to `dir`. */
export async function findTfFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".tf"))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.split(path.sep).some((part) => SKIPPED_DIRS.has(part)))
    .sort();
}

function firstDifference(actual: string, expected: string): string {
  const got = actual.split("\n");
  const want = expected.split("\n");
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    if (got[i] !== want[i]) {
      return `line ${i + 1}: found ${JSON.stringify(got[i] ?? "<end of file>")}, terraform fmt writes ${JSON.stringify(want[i] ?? "<end of file>")}`;
    }
  }
  return "whitespace differs";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The problems of one file: a syntax error, or else a formatting difference. */
export async function checkHclSource(file: HclSource): Promise<HclProblem[]> {
  try {
    await parse(file.name, file.source);
  } catch (error: unknown) {
    return [{ file: file.name, kind: "syntax", message: describe(error) }];
  }
  let formatted: string;
  try {
    formatted = await format(file.source);
  } catch (error: unknown) {
    return [{ file: file.name, kind: "syntax", message: describe(error) }];
  }
  return formatted === file.source
    ? []
    : [
        {
          file: file.name,
          kind: "format",
          message: `not formatted as terraform fmt would: ${firstDifference(file.source, formatted)}`,
        },
      ];
}

/** Checks every `.tf` file under `dir`; names in problems are relative to the working directory. */
export async function checkHclDir(dir: string): Promise<{ files: number; problems: HclProblem[] }> {
  const files = await findTfFiles(dir);
  const problems: HclProblem[] = [];
  for (const file of files) {
    const name = path.relative(process.cwd(), path.join(dir, file));
    problems.push(
      ...(await checkHclSource({ name, source: await readFile(path.join(dir, file), "utf8") })),
    );
  }
  return { files: files.length, problems };
}

async function main(argv: readonly string[]): Promise<number> {
  const dir = argv[0] ?? "infra";
  const { files, problems } = await checkHclDir(dir);
  if (files === 0) {
    process.stderr.write(`check-hcl: no .tf files under ${dir}\n`);
    return 1;
  }
  for (const problem of problems) {
    process.stderr.write(`${problem.file}: ${problem.kind}: ${problem.message}\n`);
  }
  if (problems.length > 0) {
    process.stderr.write(
      `check-hcl: ${problems.length} problem(s) in ${files} .tf file(s) (terraform fmt -recursive ${dir} fixes formatting)\n`,
    );
    return 1;
  }
  process.stdout.write(`check-hcl: ${files} .tf file(s) parse and are terraform-fmt formatted\n`);
  return 0;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) {
    return false;
  }
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}
