import { expect, it } from "vitest";
import {
  CHUNK_TABLES,
  CONFIG_MODELS,
  LOST_PASSWORD_HASH_TABLE,
} from "../../../lib/registry/index.ts";
import type { ModelSpec, TableSpec } from "../../../lib/registry/index.ts";
import { describeWithShared, readShared } from "../../support/shared.ts";

/** The shape of one entry of Sentry's `model_dependencies/detailed.json`. */
interface DetailedModel {
  foreign_keys: Record<string, { kind: string; model: string; nullable: boolean }>;
  model: string;
  relocation_dependencies: string[];
  relocation_scope: string | string[];
  silos: string[];
  table_name: string;
  uniques: string[][];
}

async function loadJson<T>(name: string): Promise<T> {
  return JSON.parse((await readShared("sentry", "model_dependencies", name)).toString("utf8")) as T;
}

function sortedSets(sets: readonly (readonly string[])[]): string[] {
  return sets.map((s) => [...s].sort().join(",")).sort();
}

function fkKind(kind: string): string {
  return kind.replace(/ForeignKey$/, "");
}

describeWithShared("registry against Sentry's model_dependencies", () => {
  async function detailedOf(model: ModelSpec | TableSpec): Promise<DetailedModel> {
    const detailed = await loadJson<Record<string, DetailedModel>>("detailed.json");
    const name = "name" in model && "fields" in model ? model.name : model.model;
    const entry = detailed[name];
    if (entry === undefined) {
      throw new Error(`detailed.json has no ${name}`);
    }
    return entry;
  }

  it.each(CONFIG_MODELS.map((m) => [m.name, m] as const))(
    "%s matches detailed.json",
    async (_name, model) => {
      const d = await detailedOf(model);
      expect(model.table).toBe(d.table_name);
      expect([model.silo]).toEqual(d.silos);
      const scopes =
        typeof d.relocation_scope === "string" ? [d.relocation_scope] : d.relocation_scope;
      expect([...model.relocationScopes].sort()).toEqual([...scopes].sort());
      expect([...model.relocationDependencies].sort()).toEqual(
        [...d.relocation_dependencies].sort(),
      );
      expect(sortedSets(model.uniques.map((u) => u.keys))).toEqual(sortedSets(d.uniques));

      const fks = Object.fromEntries(
        model.foreignKeys.map((f) => [
          f.key,
          { kind: f.kind, model: f.target, nullable: f.nullable },
        ]),
      );
      const expected = Object.fromEntries(
        Object.entries(d.foreign_keys).map(([k, v]) => [
          k,
          { kind: fkKind(v.kind), model: v.model, nullable: v.nullable },
        ]),
      );
      expect(fks).toEqual(expected);
    },
  );

  it("places every model at its position in sorted.json", async () => {
    const sorted = await loadJson<string[]>("sorted.json");
    for (const model of CONFIG_MODELS) {
      expect({ [model.name]: sorted.indexOf(model.name) + 1 }).toEqual({
        [model.name]: model.registryPosition,
      });
    }
    const subsequence = sorted.filter((n) => CONFIG_MODELS.some((m) => m.name === n));
    expect(subsequence).toEqual(CONFIG_MODELS.map((m) => m.name));
  });

  it("names the side-effect and ledger tables as Sentry does", async () => {
    for (const table of [LOST_PASSWORD_HASH_TABLE, ...Object.values(CHUNK_TABLES)]) {
      const d = await detailedOf(table);
      expect(table.name).toBe(d.table_name);
      expect([table.silo]).toEqual(d.silos);
      expect(d.relocation_scope).toBe("Excluded");
    }
  });

  it("keeps the Config-scope models exactly those whose scopes meet {User, Config}", async () => {
    const detailed = await loadJson<Record<string, DetailedModel>>("detailed.json");
    const inScope = Object.values(detailed)
      .filter((d) => {
        const scopes =
          typeof d.relocation_scope === "string" ? [d.relocation_scope] : d.relocation_scope;
        return scopes.some((s) => s === "User" || s === "Config");
      })
      .map((d) => d.model)
      .sort();
    expect(CONFIG_MODELS.map((m) => m.name as string).sort()).toEqual(inScope);
  });
});
