/**
 * import-semantics.md §18.10 (errors) as they apply to the User and Config scopes, on both
 * adapters: the chunk importer's request checks, deserialisation and validation failures, and
 * what an aborted import leaves behind. The CLI's exit codes are in engine.cli.test.ts.
 *
 * Not applicable, so without tests: `IncorrectSiloModeForModel` and the control-silo refusal
 * (sentry-import writes one database), and the invalid UserIP (a Global-scope model).
 */
import { expect, it } from "vitest";
import { importChunk } from "../../../lib/engine/chunkImporter.ts";
import { NO_FILTERS } from "../../../lib/engine/chunkRequest.ts";
import type { ChunkRequest } from "../../../lib/engine/chunkRequest.ts";
import type { ExportRow } from "../../../lib/export/envelope.ts";
import { bufferSource } from "../../../lib/format/index.ts";
import type { Db } from "../../../lib/ports.ts";
import { toModelName } from "../../../lib/registry/types.ts";
import {
  count,
  engineSuite,
  importRows,
  importSource,
  newImportUuid,
  NOW,
  row,
  tableCounts,
  userRow,
} from "../../support/engine.ts";
import type { RawRow } from "../../support/engine.ts";

function exportRows(rows: readonly RawRow[]): ExportRow[] {
  return rows.map((r, i) => ({
    position: i + 1,
    model: toModelName(r.model),
    pk: r.pk,
    fields: r.fields,
  }));
}

function request(overrides: Partial<ChunkRequest> = {}): ChunkRequest {
  return {
    importUuid: newImportUuid(),
    scope: "Config",
    model: "sentry.option",
    minOrdinal: 1,
    rows: exportRows([row("sentry.option", 1, { key: "k", value: "v", last_updated: NOW })]),
    visibleModels: [],
    flags: { mergeUsers: false, overwriteConfigs: false, passwordMode: { kind: "unusable" } },
    filters: NO_FILTERS,
    now: NOW,
    ...overrides,
  };
}

async function nothingWritten(db: Db): Promise<void> {
  const counts = await tableCounts(db);
  expect(Object.entries(counts).filter(([, n]) => n > 0)).toEqual([]);
  expect(await count(db, "sentry_regionimportchunk")).toBe(0);
  expect(await count(db, "sentry_controlimportchunk")).toBe(0);
  expect(await count(db, "sentry_import.pk_map")).toBe(0);
}

engineSuite("§18.10 errors", (db) => {
  it.each([
    {
      what: "an unknown model name",
      overrides: { model: "sentry.doesnotexist" },
      kind: "UnknownModel",
    },
    { what: "a missing scope", overrides: { scope: null }, kind: "UnspecifiedScope" },
    { what: "a missing import_uuid", overrides: { importUuid: null }, kind: "MissingImportUUID" },
    { what: "min_ordinal 0", overrides: { minOrdinal: 0 }, kind: "InvalidMinOrdinal" },
    { what: "a negative min_ordinal", overrides: { minOrdinal: -3 }, kind: "InvalidMinOrdinal" },
  ] as const)("the chunk importer rejects $what with $kind", async ({ overrides, kind }) => {
    const outcome = await importChunk(db(), request(overrides));
    expect(outcome).toMatchObject({ kind: "rejected", failure: { code: kind } });
    await nothingWritten(db());
  });

  it("the chunk importer rejects rows of a different model than the one requested with UnexpectedModel", async () => {
    const outcome = await importChunk(
      db(),
      request({
        rows: exportRows([
          row("sentry.option", 1, { key: "k", value: "v", last_updated: NOW }),
          row("sentry.relay", 7, { relay_id: "r", public_key: "p" }),
        ]),
      }),
    );
    expect(outcome).toMatchObject({
      kind: "rejected",
      failure: { code: "UnexpectedModel", leftPk: 7 },
    });
    await nothingWritten(db());
  });

  it("an export element that is not JSON (`_`) gives DeserializationFailed, before anything is written", async () => {
    const failure = await importSource(
      db(),
      bufferSource(
        Buffer.from('[{"model": "sentry.option", "pk": 1, "fields": {"key": "k", "value": 1}}, _]'),
      ),
    ).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "DeserializationFailed", on: { position: 2 } });
    await nothingWritten(db());
  });

  it("a value that cannot be read gives DeserializationFailed naming the model, position and field", async () => {
    const failure = await importRows(db(), [
      row("sentry.option", 1, { key: "k", value: "v", last_updated: NOW }),
      row("sentry.option", 2, { key: "k2", value: "v", last_updated: "not-a-date" }),
    ]).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: "DeserializationFailed",
      on: { model: "sentry.option", ordinal: 2, position: 2, field: "last_updated" },
    });
    await nothingWritten(db());
  });

  it("an invalid timezone user option gives ValidationError on sentry.useroption", async () => {
    const failure = await importRows(db(), [
      userRow(1, "gondor"),
      row("sentry.useroption", 1, {
        user: 1,
        project_id: null,
        organization_id: null,
        key: "timezone",
        value: "MiddleEarth/Gondor",
      }),
    ]).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: "ValidationError",
      on: { model: "sentry.useroption", field: "value" },
    });
  });

  it("an error found in pre-validation aborts the import before anything is written", async () => {
    const failure = await importRows(db(), [
      row("sentry.option", 1, { key: "k", value: "v", last_updated: NOW }),
      userRow(1, "first"),
      userRow(2, "x".repeat(129), { email: "long@example.com" }),
    ]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "ValidationError", on: { model: "sentry.user" } });
    await nothingWritten(db());
  });

  it("a database integrity error aborts the import with kind IntegrityError and rolls the failing chunk back completely", async () => {
    const failure = await importRows(
      db(),
      [
        userRow(1, "a"),
        row("sentry.userpermission", 1, { user: 1, permission: "users.admin" }),
        row("sentry.userpermission", 2, { user: 1, permission: "options.admin" }),
        row("sentry.userpermission", 3, { user: 1, permission: "users.admin" }),
      ],
      { concurrency: 1 },
    ).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: "IntegrityError",
      on: { model: "sentry.userpermission", ordinal: 1 },
    });
    // the user's chunk committed before; nothing of the failing chunk remains
    expect(await count(db(), "auth_user")).toBe(1);
    expect(await count(db(), "sentry_userpermission")).toBe(0);
    expect(await count(db(), "sentry_controlimportchunk", "model = 'sentry.userpermission'")).toBe(
      0,
    );
    expect(await count(db(), "sentry_import.pk_map", "model = 'sentry.userpermission'")).toBe(0);
  });
});
