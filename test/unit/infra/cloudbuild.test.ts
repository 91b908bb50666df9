/**
 * cloudbuild.yaml cannot run here (no Docker, no Cloud Build), so its shape is the check: the
 * steps and their order, the images, every substitution declared, shell variables escaped, the
 * Terraform variables the deploy root requires passed, and logging set with a service account.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

const ROOT = path.resolve(import.meta.dirname, "../../..");

const stepSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string(),
  waitFor: z.array(z.string()).optional(),
  entrypoint: z.string().optional(),
  args: z.array(z.string()).optional(),
  dir: z.string().optional(),
  env: z.array(z.string()).optional(),
  secretEnv: z.array(z.string()).optional(),
});
type Step = z.infer<typeof stepSchema>;

const buildSchema = z.strictObject({
  steps: z.array(stepSchema).min(1),
  substitutions: z.record(z.string().regex(/^_[A-Z0-9_]+$/), z.string()),
  availableSecrets: z
    .strictObject({
      secretManager: z.array(z.strictObject({ versionName: z.string(), env: z.string() })),
    })
    .optional(),
  serviceAccount: z.string().optional(),
  logsBucket: z.string().optional(),
  options: z.looseObject({
    logging: z.string().optional(),
    substitutionOption: z.string().optional(),
    dynamicSubstitutions: z.boolean().optional(),
  }),
  timeout: z.string().regex(/^\d+s$/),
});
type Build = z.infer<typeof buildSchema>;

/** Cloud Build's own substitutions (gcp-platform.md §10). */
const BUILT_INS = new Set([
  "PROJECT_ID",
  "PROJECT_NUMBER",
  "BUILD_ID",
  "LOCATION",
  "COMMIT_SHA",
  "SHORT_SHA",
  "REVISION_ID",
  "BRANCH_NAME",
  "TAG_NAME",
  "REF_NAME",
  "REPO_NAME",
  "REPO_FULL_NAME",
  "TRIGGER_NAME",
  "TRIGGER_BUILD_CONFIG_PATH",
  "SERVICE_ACCOUNT_EMAIL",
  "SERVICE_ACCOUNT",
]);

const NODE_IMAGE = "node:22";
const TERRAFORM_IMAGE = "hashicorp/terraform:${_TERRAFORM_VERSION}";

let build: Build;
let raw: string;

beforeAll(async () => {
  raw = await readFile(path.join(ROOT, "cloudbuild.yaml"), "utf8");
  build = buildSchema.parse(parseYaml(raw));
});

function step(id: string): Step {
  const found = build.steps.find((s) => s.id === id);
  if (found === undefined) {
    throw new Error(`no step ${id}`);
  }
  return found;
}

/** Every step `id` waits for, directly or not (a step without waitFor waits for all before it). */
function prerequisites(id: string): Set<string> {
  const index = build.steps.findIndex((s) => s.id === id);
  const direct = (i: number): string[] => {
    const waitFor = build.steps[i]?.waitFor;
    if (waitFor === undefined) {
      return build.steps.slice(0, i).map((s) => s.id);
    }
    return waitFor.filter((w) => w !== "-");
  };
  const seen = new Set<string>();
  const pending = direct(index);
  while (pending.length > 0) {
    const next = pending.pop() ?? "";
    if (!seen.has(next)) {
      seen.add(next);
      pending.push(...direct(build.steps.findIndex((s) => s.id === next)));
    }
  }
  return seen;
}

/** Every `$…` reference in the file, with `$$` (a literal dollar for the shell) skipped. */
function references(text: string): string[] {
  return [...text.matchAll(/\$(\$|\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|.?)/g)]
    .map((m) => m[1] ?? "")
    .filter((ref) => ref !== "$");
}

describe("cloudbuild.yaml", () => {
  it("has the pipeline's steps, in dependency order", () => {
    const ids = build.steps.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const required of [
      "postgres",
      "install",
      "lint",
      "typecheck",
      "test",
      "build",
      "package",
      "tf-init",
      "tf-fmt",
      "tf-validate",
      "tf-plan",
      "tf-apply",
      "smoke-encrypt",
      "smoke-upload",
      "smoke-wait",
    ]) {
      expect(ids).toContain(required);
    }
    for (const s of build.steps) {
      for (const w of s.waitFor ?? []) {
        expect(w === "-" || ids.indexOf(w) < ids.indexOf(s.id), `${s.id} waits for ${w}`).toBe(
          true,
        );
      }
    }
    const expectations: Record<string, readonly string[]> = {
      test: ["install", "postgres-ready"],
      build: ["lint", "typecheck", "test"],
      package: ["build"],
      "tf-plan": ["package", "tf-init", "tf-fmt", "tf-validate", "test"],
      "tf-apply": ["tf-plan"],
      "smoke-encrypt": ["tf-apply"],
      "smoke-wait": ["smoke-upload", "tf-apply"],
    };
    for (const [id, before] of Object.entries(expectations)) {
      const prior = prerequisites(id);
      expect(
        before.filter((b) => !prior.has(b)),
        `${id} must wait for`,
      ).toEqual([]);
    }
  });

  it("builds and tests on Node 22 and pins Terraform at 1.5 or later", () => {
    for (const id of ["install", "lint", "typecheck", "test", "build", "package", "smoke-wait"]) {
      expect(step(id).name, `step ${id}`).toBe(NODE_IMAGE);
    }
    const terraformSteps = build.steps.filter((s) => s.id.startsWith("tf-"));
    expect(terraformSteps.length).toBeGreaterThanOrEqual(5);
    for (const s of terraformSteps) {
      expect(s.name, `image of ${s.id}`).toBe(TERRAFORM_IMAGE);
      expect(s.dir, `dir of ${s.id}`).toMatch(/^infra(\/|$)/);
    }
    const version = build.substitutions["_TERRAFORM_VERSION"] ?? "";
    const [major = 0, minor = 0] = version.split(".").map(Number);
    expect(major > 1 || (major === 1 && minor >= 5), `terraform ${version}`).toBe(true);
    expect(step("postgres").args).toEqual(
      expect.arrayContaining(["--network=cloudbuild", "postgres:16"]) as unknown,
    );
  });

  it("declares every substitution it uses, uses every one it declares, and escapes shell variables", () => {
    const declared = new Set(Object.keys(build.substitutions));
    const used = new Set<string>();
    const problems: string[] = [];
    for (const ref of references(raw.replace(/^\s*#.*$/gm, ""))) {
      const name = /^\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(ref)?.[1];
      if (name === undefined) {
        problems.push(`'$${ref}' is not a substitution (write $$ for the shell)`);
      } else if (name.startsWith("_")) {
        used.add(name);
        if (!declared.has(name)) {
          problems.push(`${name} is used but not declared`);
        }
      } else if (!BUILT_INS.has(name)) {
        problems.push(`$${name}: a shell variable must be written $$${name}`);
      }
    }
    expect(problems).toEqual([]);
    // without ALLOW_LOOSE an unused substitution fails the build
    expect([...declared].filter((name) => !used.has(name))).toEqual([]);
    for (const required of ["_PROJECT", "_REGION", "_ENVIRONMENT", "_TF_STATE_BUCKET"]) {
      expect(declared).toContain(required);
    }
  });

  it("sends logs to Cloud Logging, as a build with its own service account must", () => {
    expect(build.serviceAccount).toMatch(/^projects\/[^/]+\/serviceAccounts\/.+@.+$/);
    expect(build.logsBucket).toBeUndefined();
    expect(build.options.logging).toBe("CLOUD_LOGGING_ONLY");
  });

  it("keeps Terraform state per environment and passes the deploy root's required variables", async () => {
    const init = step("tf-init").args ?? [];
    expect(init).toContain("-backend-config=bucket=${_TF_STATE_BUCKET}");
    expect(init.some((a) => a.startsWith("-backend-config=prefix=") && a.includes("${_ENVIRONMENT}"))).toBe(true);
    expect(step("tf-fmt").args).toEqual(expect.arrayContaining(["fmt", "-check", "-recursive"]) as unknown);

    const deployDir = path.join(ROOT, step("tf-plan").dir ?? "");
    const variables = (await parseHcl(
      "variables.tf",
      await readFile(path.join(deployDir, "variables.tf"), "utf8"),
    )) as { variable: Record<string, [{ default?: unknown }]> };
    const required = Object.entries(variables.variable)
      .filter(([, [body]]) => !("default" in body))
      .map(([name]) => name);
    expect(required.length).toBeGreaterThan(0);
    const plan = step("tf-plan").args ?? [];
    expect(plan).toEqual(expect.arrayContaining(["plan", "-out=tfplan"]) as unknown);
    for (const name of required) {
      expect(plan.some((a) => a.startsWith(`-var=${name}=`)), `-var=${name}`).toBe(true);
    }
    for (const arg of plan.filter((a) => a.startsWith("-var="))) {
      const name = arg.slice("-var=".length).split("=")[0] ?? "";
      expect(Object.keys(variables.variable), `variable of ${arg}`).toContain(name);
    }
    expect(step("tf-apply").args?.join("\n")).toMatch(/terraform apply -input=false tfplan/);
  });

  it("gives each step only secrets the build declares", () => {
    const available = new Set(build.availableSecrets?.secretManager.map((s) => s.env) ?? []);
    for (const s of build.steps) {
      for (const name of s.secretEnv ?? []) {
        expect(available.has(name), `${s.id}: ${name}`).toBe(true);
      }
    }
    // the database URL reaches only the smoke check, never a plain env entry
    expect(build.steps.filter((s) => s.secretEnv?.includes("DATABASE_URL")).map((s) => s.id)).toEqual(
      ["smoke-wait"],
    );
  });

  it("smoke-tests with the example export encrypted for the deployed key and sentry-import status", () => {
    const encrypt = step("smoke-encrypt").args?.join("\n") ?? "";
    expect(encrypt).toMatch(
      /sentry-import backup encrypt examples\/example-export\.json \S+ \\\s*\n\s*--encrypt-with-gcp-kms/,
    );
    expect(encrypt).toContain("kms_backup_config");
    expect(step("smoke-upload").args?.join("\n")).toMatch(/gcloud storage cp /);
    expect(step("smoke-wait").args?.join("\n")).toMatch(/sentry-import status --json/);
  });
});
