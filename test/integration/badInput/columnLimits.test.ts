/**
 * import-semantics.md §3.2, §17: every bounded string column of the 13 Config tables, read from
 * the database's own catalog. One character over its limit is rejected by pre-validation as a
 * ValidationError naming model, field and position, before anything is written (never a 22001
 * DatabaseError half-way through the import); exactly at the limit the import succeeds. Lengths
 * are counted in characters, so the values are made of a two-byte character.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runImport } from "../../../lib/engine/runImport.ts";
import type { ImportReport } from "../../../lib/engine/runImport.ts";
import { ImportFailure } from "../../../lib/errors.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import type { Database } from "../../../lib/ports.ts";
import { CONFIG_MODELS } from "../../../lib/registry/registry.ts";
import { ADAPTER_KINDS, withTestDatabase } from "../../support/db.ts";
import { bytesSource, DEFAULT_FLAGS, nonEmptyTables, resetDatabase } from "../../support/faults.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

/** A small export with at least one row of every Config model. */
const BASE = JSON.parse(
  generateExportText({
    seed: "column limits",
    users: 4,
    legacy: true,
    edgeCases: false,
    options: 1,
    controlOptions: 1,
    relays: 1,
    relayVersions: 1,
    roles: 1,
    permissionFraction: 1,
    roleAssignmentFraction: 1,
    tokenFraction: 1,
    authorizationFraction: 1,
    userOptionFraction: 1,
    secondaryEmailFraction: 0,
  }),
) as { model: string; pk: number; fields: Record<string, unknown> }[];

interface Limit {
  readonly model: string;
  readonly table: string;
  readonly field: string;
  readonly column: string;
  readonly length: number;
}

/** Two bytes in UTF-8, one character: a limit in bytes would let fewer through. */
const CHAR = "é";

function exportWith(limit: Limit, length: number): { text: string; position: number } {
  const index = BASE.findIndex((row) => row.model === limit.model);
  const rows = BASE.map((row, i) =>
    i === index ? { ...row, fields: { ...row.fields, [limit.field]: CHAR.repeat(length) } } : row,
  );
  return { text: JSON.stringify(rows), position: index + 1 };
}

async function importText(db: Database, text: string): Promise<ImportReport> {
  return runImport(db, bytesSource(text), {
    importUuid: importUuid(randomUUID()),
    settings: { scope: "Config", chunkSize: 20, flags: DEFAULT_FLAGS, usernameFilter: null },
    concurrency: 1,
    dryRun: false,
  });
}

describe.each(ADAPTER_KINDS)("on %s", (kind) => {
  const db = withTestDatabase(kind);
  const limits: Limit[] = [];

  beforeAll(async () => {
    for (const model of CONFIG_MODELS) {
      const { rows } = await db().query<{ column: string; length: number }>(
        `SELECT column_name AS column, character_maximum_length AS length
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = $1 AND character_maximum_length IS NOT NULL
         ORDER BY ordinal_position`,
        [model.table],
      );
      for (const { column, length } of rows) {
        const field = model.fields.find((f) => f.column === column);
        if (field === undefined) {
          throw new Error(
            `${model.table}.${column} is bounded but no field of ${model.name} fills it`,
          );
        }
        limits.push({ model: model.name, table: model.table, field: field.key, column, length });
      }
    }
  });

  beforeEach(async () => {
    await resetDatabase(db());
  });

  it("finds bounded columns in every table that has them, and a row of every model to put them in", () => {
    expect(limits.length).toBeGreaterThan(25);
    for (const model of new Set(limits.map((l) => l.model))) {
      expect(BASE.some((row) => row.model === model)).toBe(true);
    }
  });

  it("rejects a string one character over its column's limit before writing anything", async () => {
    for (const limit of limits) {
      const { text, position } = exportWith(limit, limit.length + 1);

      const error = await importText(db(), text).then(
        () => null,
        (thrown: unknown) => thrown,
      );

      const where = `${limit.table}.${limit.column} (${String(limit.length)})`;
      expect({ where, error }).toEqual({ where, error: expect.any(ImportFailure) as unknown });
      const failure = error as ImportFailure;
      expect({ where, code: failure.code, on: failure.on }).toEqual({
        where,
        code: "ValidationError",
        on: expect.objectContaining({
          model: limit.model,
          field: limit.field,
          position,
        }) as unknown,
      });
      expect({ where, written: await nonEmptyTables(db()) }).toEqual({ where, written: {} });
    }
  });

  it("imports a string exactly at its column's limit", async () => {
    for (const limit of limits) {
      await resetDatabase(db());
      const { text } = exportWith(limit, limit.length);

      const outcome = await importText(db(), text).then(
        () => "imported",
        (thrown: unknown) => (thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : "?"),
      );

      expect({ limit, outcome }).toEqual({ limit, outcome: "imported" });
    }
  });
});
