/**
 * The Terraform passes each function exactly the configuration lib/config.ts reads: every
 * required variable, nothing the schema does not know, none of the emulator-only endpoints, and
 * DATABASE_URL only from Secret Manager. Read statically from the .tf files (no terraform here).
 */
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { parse } from "@cdktf/hcl2json";
import { beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_ENV_VARS, REQUIRED_ENV_VARS } from "../../../lib/config.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const INFRA = path.join(ROOT, "infra");
const EMULATOR_ONLY = ["STORAGE_API_ENDPOINT", "KMS_API_ENDPOINT", "TASKS_API_ENDPOINT"];
const FUNCTION_MODULE = "./modules/function";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** hcl2json gives blocks as arrays of bodies; the single body of a block. */
function body(value: unknown, what: string): Json {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (!isObject(first) || (Array.isArray(value) && value.length !== 1)) {
    throw new Error(`${what}: expected exactly one block`);
  }
  return first;
}

/** The parsed .tf files of one module folder (not its sub-folders). */
async function parseModule(dir: string): Promise<Json[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".tf")).sort();
  return Promise.all(
    names.map(async (name) => parse(name, await readFile(path.join(dir, name), "utf8"))),
  );
}

/** All `locals` of a module, merged. */
function localsOf(files: readonly Json[]): Json {
  const merged: Json = {};
  for (const file of files) {
    const blocks = file["locals"];
    for (const block of Array.isArray(blocks) ? blocks : []) {
      Object.assign(merged, block);
    }
  }
  return merged;
}

/** Every `module "name" {…}` block of a module, by name. */
function modulesOf(files: readonly Json[]): Map<string, Json> {
  const modules = new Map<string, Json>();
  for (const file of files) {
    const block = file["module"];
    if (isObject(block)) {
      for (const [name, value] of Object.entries(block)) {
        modules.set(name, body(value, `module.${name}`));
      }
    }
  }
  return modules;
}

function resourcesOf(files: readonly Json[], type: string): string[] {
  return files.flatMap((file) => {
    const resources = file["resource"];
    return isObject(resources) && isObject(resources[type]) ? Object.keys(resources[type]) : [];
  });
}

/**
 * The keys of a map argument: an object literal, or a reference to a local holding one. Anything
 * else (merge(), a variable) cannot be checked statically, and fails the test on purpose.
 */
function mapKeys(expression: unknown, locals: Json, what: string): string[] {
  if (isObject(expression)) {
    return Object.keys(expression);
  }
  const local = typeof expression === "string" ? /^\$\{local\.(\w+)\}$/.exec(expression) : null;
  if (local?.[1] !== undefined && isObject(locals[local[1]])) {
    return Object.keys(locals[local[1]] as Json);
  }
  throw new Error(
    `${what} must be an object literal or a local holding one, got ${JSON.stringify(expression)}`,
  );
}

interface DeployedFunction {
  readonly module: string;
  readonly entryPoint: unknown;
  readonly plain: readonly string[];
  readonly secret: readonly string[];
  readonly block: Json;
}

let root: Json[];
let functions: DeployedFunction[];

beforeAll(async () => {
  root = await parseModule(INFRA);
  const locals = localsOf(root);
  functions = [...modulesOf(root)]
    .filter(([, block]) => block["source"] === FUNCTION_MODULE)
    .map(([name, block]) => ({
      module: name,
      entryPoint: block["entry_point"],
      plain: mapKeys(block["environment_variables"], locals, `module.${name}.environment_variables`),
      secret: mapKeys(
        block["secret_environment_variables"],
        locals,
        `module.${name}.secret_environment_variables`,
      ),
      block,
    }));
});

describe("the functions' environment in infra/", () => {
  it("deploys the two functions functions/ registers, through the function module", async () => {
    const registered = await Promise.all(
      ["onBackupFinalized.ts", "importChunk.ts"].map(async (file) => {
        const source = await readFile(path.join(ROOT, "functions", file), "utf8");
        return /\b(?:cloudEvent|http)\(\s*"(\w+)"/.exec(source)?.[1];
      }),
    );
    expect(registered).toEqual(["onBackupFinalized", "importChunk"]);
    expect(functions.map((f) => f.entryPoint).sort()).toEqual([...registered].sort());
    // nothing deploys a function around the module (it would escape this check)
    expect(resourcesOf(root, "google_cloudfunctions2_function")).toEqual([]);
  });

  it("gives each function every required variable and only variables lib/config.ts reads", () => {
    expect(REQUIRED_ENV_VARS.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const given = [...fn.plain, ...fn.secret];
      expect(new Set(given).size, `${fn.module}: a variable is both plain and secret`).toBe(
        given.length,
      );
      expect(
        given.filter((name) => !(FUNCTION_ENV_VARS as readonly string[]).includes(name)),
        `${fn.module}: variables the schema does not know`,
      ).toEqual([]);
      expect(
        REQUIRED_ENV_VARS.filter((name) => !given.includes(name)),
        `${fn.module}: required variables missing`,
      ).toEqual([]);
      expect(
        given.filter((name) => EMULATOR_ONLY.includes(name)),
        `${fn.module}: emulator-only variables`,
      ).toEqual([]);
    }
  });

  it("reads DATABASE_URL from Secret Manager and never as a plain variable or an output", async () => {
    for (const fn of functions) {
      expect(fn.secret, `${fn.module}: secret variables`).toContain("DATABASE_URL");
      expect(fn.plain, `${fn.module}: plain variables`).not.toContain("DATABASE_URL");
    }
    for (const dir of [
      INFRA,
      ...["examples/minimal", "examples/with-cloud-sql", "deploy"].map((d) => path.join(INFRA, d)),
    ]) {
      for (const file of await parseModule(dir)) {
        const outputs = isObject(file["output"]) ? Object.values(file["output"]) : [];
        for (const output of outputs) {
          const value = JSON.stringify(body(output, "output")["value"]);
          expect(value, `an output of ${dir}`).not.toMatch(/database_url|secret_data|password/i);
        }
      }
    }
  });

  it("computes IMPORT_CHUNK_URL from names, not from the import function (no dependency cycle)", () => {
    const locals = localsOf(root);
    const env = locals["function_env"];
    expect(isObject(env)).toBe(true);
    const url = (env as Json)["IMPORT_CHUNK_URL"];
    expect(url).toBe("${local.import_chunk_url}");
    const computed = String(locals["import_chunk_url"]);
    expect(computed).toMatch(/^https:\/\/\$\{local\.names\.import_chunk\}-.*\.run\.app$/);
    expect(computed).not.toMatch(/module\./);
    expect(JSON.stringify(env)).not.toMatch(/module\.(import_chunk|on_backup_finalized)\./);
  });

  it("triggers only the event function, on the backups bucket, with retries", () => {
    const byEntry = new Map(functions.map((fn) => [fn.entryPoint, fn.block]));
    const trigger = byEntry.get("onBackupFinalized")?.["event_trigger"];
    expect(trigger).toMatchObject({
      event_type: "google.cloud.storage.object.v1.finalized",
      filters: { bucket: "${google_storage_bucket.backups.name}" },
      retry_policy: "RETRY_POLICY_RETRY",
    });
    expect(byEntry.get("importChunk")?.["event_trigger"]).toBeUndefined();
    for (const block of byEntry.values()) {
      expect(block["ingress_settings"]).toBe("ALLOW_INTERNAL_ONLY");
    }
  });

  it("passes the environment through the function module unchanged", async () => {
    const files = await parseModule(path.join(INFRA, "modules/function"));
    const resources = files.flatMap((file) =>
      isObject(file["resource"]) && isObject(file["resource"]["google_cloudfunctions2_function"])
        ? Object.values(file["resource"]["google_cloudfunctions2_function"])
        : [],
    );
    expect(resources).toHaveLength(1);
    const fn = body(resources[0], "the function resource");
    const build = body(fn["build_config"], "build_config");
    expect(build["runtime"]).toBe("nodejs22");
    expect(build["environment_variables"]).toBeUndefined();
    const service = body(fn["service_config"], "service_config");
    expect(service["environment_variables"]).toBe("${var.environment_variables}");
    expect(service["secret_environment_variables"]).toBeUndefined();
    const dynamic = body(service["dynamic"], "service_config dynamic blocks");
    const secrets = body(dynamic["secret_environment_variables"], "dynamic secrets");
    expect(secrets["for_each"]).toBe("${var.secret_environment_variables}");
    expect(body(secrets["content"], "content")["key"]).toBe("${secret_environment_variables.key}");
  });
});
