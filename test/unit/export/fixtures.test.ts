import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { expect, it } from "vitest";
import { ImportFailure } from "../../../lib/errors.ts";
import {
  parseRow,
  readExportRows,
  resolveNaturalKeys,
  UserKeyIndex,
} from "../../../lib/export/index.ts";
import type { ExportRow, ResolvedRow, UnresolvedReference } from "../../../lib/export/index.ts";
import { getModel } from "../../../lib/registry/index.ts";
import { describeWithShared, sharedPath, SHARED_AVAILABLE } from "../../support/shared.ts";

interface Parsed {
  rows: ResolvedRow[];
  unresolved: UnresolvedReference[];
  skippedModels: Set<string>;
}

/** Every fixture JSON file: the current ones and `variants/<commit>/…`. */
async function fixtureFiles(): Promise<string[]> {
  if (!SHARED_AVAILABLE) {
    return [];
  }
  const root = sharedPath("sentry");
  const files = (await readdir(root)).filter((f) => f.endsWith(".json")).map((f) => join(root, f));
  for (const commit of await readdir(join(root, "variants"))) {
    const dir = join(root, "variants", commit);
    for (const f of await readdir(dir)) {
      if (f.endsWith(".json")) {
        files.push(join(dir, f));
      }
    }
  }
  return files.sort();
}

const FILES = await fixtureFiles();
const INVALID = new Set(["invalid-user.json"]);

async function rowsOf(file: string): Promise<ExportRow[]> {
  // small pieces, so rows straddle chunk boundaries
  const rows: ExportRow[] = [];
  for await (const row of readExportRows(createReadStream(file, { highWaterMark: 257 }))) {
    rows.push(row);
  }
  return rows;
}

/** Splitter + envelope + row parser + natural keys, as the planner will chain them. */
async function parseFixture(file: string): Promise<Parsed> {
  const all = await rowsOf(file);
  const index = UserKeyIndex.fromRows(all);
  const parsed: Parsed = { rows: [], unresolved: [], skippedModels: new Set() };
  let runModel = "";
  let ordinal = 0;
  for (const row of all) {
    ordinal = row.model === runModel ? ordinal + 1 : 1;
    runModel = row.model;
    const spec = getModel(row.model);
    if (spec === undefined) {
      parsed.skippedModels.add(row.model);
      continue;
    }
    const result = resolveNaturalKeys(parseRow(spec, row, ordinal), index);
    if (result.kind === "resolved") {
      parsed.rows.push(result.row);
    } else {
      parsed.unresolved.push(result.reference);
    }
  }
  return parsed;
}

function byModel(parsed: Parsed, model: string): ResolvedRow[] {
  return parsed.rows.filter((r) => r.model === model);
}

/** The comparable content of parsed rows: (model, pk) → values. */
function content(parsed: Parsed, models: ReadonlySet<string>): Map<string, unknown> {
  return new Map(
    parsed.rows.filter((r) => models.has(r.model)).map((r) => [`${r.model}#${r.pk}`, r.values]),
  );
}

describeWithShared("Sentry's fixtures through splitter, envelope and row parser", () => {
  it("finds the fixtures", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(20);
  });

  const named = (files: string[]) =>
    files.map((f) => [relative(sharedPath("sentry"), f), f] as const);

  it.each(named(FILES.filter((f) => !INVALID.has(basename(f)))))(
    "%s parses",
    async (_name, file) => {
      const parsed = await parseFixture(file);
      expect(parsed.unresolved).toEqual([]);
      for (const row of parsed.rows) {
        // every field is either read or left for the writer to generate, never both
        const keys = [...Object.keys(row.values), ...Object.keys(row.generate)].sort();
        expect(keys).toEqual(row.spec.fields.map((f) => f.key).sort());
      }
    },
  );

  it.each(named(FILES.filter((f) => INVALID.has(basename(f)))))(
    "%s fails validation on the blank username",
    async (_name, file) => {
      const error = await parseFixture(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportFailure);
      expect(error).toMatchObject({
        code: "ValidationError",
        on: { model: "sentry.user", ordinal: 1, position: 1, field: "username" },
      });
    },
  );

  it("reads the legacy encodings of user-with-maximum-privileges.json", async () => {
    const max = await parseFixture(sharedPath("sentry", "user-with-maximum-privileges.json"));
    expect(byModel(max, "sentry.userrole").map((r) => r.values["permissions"])).toEqual([
      ["broadcasts.admin", "users.admin", "options.admin"],
    ]);
    expect(byModel(max, "sentry.useroption").map((r) => r.values["value"])).toEqual([
      "Europe/Vienna",
    ]);
    expect(byModel(max, "sentry.userpermission").map((r) => r.values["permission"])).toEqual([
      "users.admin",
    ]);
    expect(byModel(max, "sentry.user")[0]?.values).toMatchObject({
      username: "max_user",
      is_staff: true,
      is_superuser: true,
    });
    expect(max.skippedModels).toEqual(new Set(["sentry.authenticator", "sentry.userip"]));
  });

  it("reads the max-privileges file to the same values as its current-format siblings", async () => {
    const max = await parseFixture(sharedPath("sentry", "user-with-maximum-privileges.json"));
    const roles = await parseFixture(sharedPath("sentry", "user-with-roles-no-superadmin.json"));
    const strip = (rows: ResolvedRow[]) => rows.map((r) => r.values);
    expect(strip(byModel(max, "sentry.userrole"))).toEqual(
      strip(byModel(roles, "sentry.userrole")),
    );
    const optionOf = (p: Parsed) =>
      byModel(p, "sentry.useroption").map((r) => ({ ...r.values, user: null }));
    expect(optionOf(max)).toEqual(optionOf(roles));
    for (const sibling of [
      "user-with-minimum-privileges.json",
      "user-with-superadmin-no-roles.json",
    ]) {
      const current = await parseFixture(sharedPath("sentry", sibling));
      expect(optionOf(current)).toEqual(optionOf(max));
    }
  });

  it("reads every older variant to the same values as the current fixture", async () => {
    const variants = FILES.filter((f) => f.includes(join("variants", "")));
    expect(variants.length).toBeGreaterThan(0);
    for (const variant of variants) {
      const name = basename(variant);
      if (INVALID.has(name)) {
        continue;
      }
      const old = await parseFixture(variant);
      const current = await parseFixture(sharedPath("sentry", name));
      // older exports carry explicit sentry.email rows; compare the models both have
      const shared = new Set(
        [...new Set(old.rows.map((r) => r.model as string))].filter((m) =>
          current.rows.some((r) => r.model === m),
        ),
      );
      expect(shared.size).toBeGreaterThan(0);
      expect({ name, rows: content(old, shared) }).toEqual({
        name,
        rows: content(current, shared),
      });
    }
  });

  it("reads datetimes with and without milliseconds to the same instant", async () => {
    const millis = await parseFixture(sharedPath("sentry", "datetime-millis.json"));
    expect(byModel(millis, "sentry.option").map((r) => r.values["last_updated"])).toEqual([
      "2023-06-22T00:00:00.000Z",
      "2023-06-22T00:00:00.000Z",
    ]);
    const zeroed = await parseFixture(sharedPath("sentry", "datetime-with-zeroed-millis.json"));
    expect(zeroed.skippedModels).toEqual(new Set(["sites.site"]));
    expect(byModel(zeroed, "sentry.option")).toHaveLength(1);
  });

  it("reads fresh-install.json's option values natively", async () => {
    const fresh = await parseFixture(sharedPath("sentry", "fresh-install.json"));
    expect(byModel(fresh, "sentry.option").map((r) => r.values["value"])).toEqual([
      1687902001.2623305,
      "23.7.0.dev0",
      "1bc81f9440424e908a73ca377581cb52682db68a",
      "23.6.1",
    ]);
    expect(byModel(fresh, "sentry.user")).toHaveLength(3);
  });

  it("resolves the natural-key user references of 23.7.1.json within the file", async () => {
    const old = await parseFixture(sharedPath("sentry", "23.7.1.json"));
    const users = new Map(
      byModel(old, "sentry.user").map((r) => [r.values["username"] as string, r.pk]),
    );
    expect(byModel(old, "sentry.useroption").map((r) => r.values["user"])).toEqual([
      users.get("user@example.com"),
    ]);
    expect(byModel(old, "sentry.useremail").map((r) => r.values["user"])).toEqual([1, 2, 3, 4]);
    expect(byModel(old, "sentry.userroleuser")[0]?.values).toMatchObject({ user: 1, role: 1 });
    expect(byModel(old, "sentry.apitoken").map((r) => r.values["user"])).toEqual([4, 1]);
    // absent in 23.x exports: defaulted
    expect(byModel(old, "sentry.user").every((r) => r.values["is_unclaimed"] === false)).toBe(true);
    expect(byModel(old, "sentry.userrole")[0]?.values["permissions"]).toEqual([]);
    expect(old.skippedModels).toContain("sentry.actor");
    expect(old.skippedModels).toContain("sites.site");
  });

  it("lists a natural key that matches no user instead of failing", async () => {
    const rows = (await rowsOf(sharedPath("sentry", "23.7.1.json"))).filter(
      (r) => !(r.model === "sentry.user" && r.fields["username"] === "admin@localhost"),
    );
    const index = UserKeyIndex.fromRows(rows);
    const spec = getModel("sentry.useremail");
    const orphan = rows.find(
      (r) => r.model === "sentry.useremail" && r.fields["email"] === "admin@localhost",
    );
    if (spec === undefined || orphan === undefined) {
      throw new Error("fixture changed");
    }
    expect(resolveNaturalKeys(parseRow(spec, orphan, 2), index)).toMatchObject({
      kind: "unresolvable",
      reference: { model: "sentry.useremail", field: "user", key: "admin@localhost" },
    });
  });
});
