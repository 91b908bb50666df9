/**
 * The bad-input corpus through the orchestrator on an empty database, on both adapters: every
 * malformed export is rejected by the planning pass, before the first write (import-semantics.md
 * §17), with a typed failure that says where; every accepted one writes what it should and no
 * more.
 */
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { runImport } from "../../../lib/engine/runImport.ts";
import type { ImportReport } from "../../../lib/engine/runImport.ts";
import { ImportFailure } from "../../../lib/errors.ts";
import { findingFromError } from "../../../lib/findings.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import type { Database } from "../../../lib/ports.ts";
import { ADAPTER_KINDS, withTestDatabase } from "../../support/db.ts";
import { bytesSource, DEFAULT_FLAGS, nonEmptyTables, resetDatabase } from "../../support/faults.ts";
import { ACCEPTED, REJECTED } from "./corpus.ts";

/**
 * How the bytes arrive: tiny pieces (every boundary falls inside a token or a UTF-8 sequence),
 * file-system-like pieces, and the whole file at once. The verdict must not depend on it.
 */
const PIECE_SIZES = [7, 1024, Number.MAX_SAFE_INTEGER] as const;

async function importCase(
  db: Database,
  content: string | Uint8Array,
  options: {
    readonly maxElementBytes?: number;
    readonly onPlanned?: () => void;
    readonly pieceSize?: number;
  } = {},
): Promise<ImportReport> {
  return runImport(db, bytesSource(content, options.pieceSize ?? 1024), {
    importUuid: importUuid(randomUUID()),
    settings: { scope: "Config", chunkSize: 20, flags: DEFAULT_FLAGS, usernameFilter: null },
    concurrency: db.kind === "postgres" ? 3 : 1,
    dryRun: false,
    onPlanned: () => {
      options.onPlanned?.();
      return Promise.resolve();
    },
    ...(options.maxElementBytes === undefined ? {} : { maxElementBytes: options.maxElementBytes }),
  });
}

describe.each(ADAPTER_KINDS)("on %s", (kind) => {
  const db = withTestDatabase(kind);

  beforeEach(async () => {
    await resetDatabase(db());
  });

  describe.each(REJECTED)("rejects $name", (bad) => {
    it.each(PIECE_SIZES)(
      "with a typed failure naming kind, model and position, and writes nothing (read in pieces of %i bytes)",
      async (pieceSize) => {
        let planned = false;
        const error = await importCase(db(), bad.content, {
          ...(bad.maxElementBytes === undefined ? {} : { maxElementBytes: bad.maxElementBytes }),
          pieceSize,
          onPlanned: () => {
            planned = true;
          },
        }).then(
          () => null,
          (thrown: unknown) => thrown,
        );

        expect(error).toBeInstanceOf(ImportFailure);
        const failure = error as ImportFailure;
        expect({
          kind: failure.code,
          model: failure.on.model,
          position: failure.on.position ?? null,
          ...(bad.field === undefined ? {} : { field: failure.on.field }),
        }).toEqual({
          kind: bad.kind,
          model: bad.model,
          position: bad.position,
          ...(bad.field === undefined ? {} : { field: bad.field }),
        });
        expect(failure.message).toMatch(bad.reason);
        // the finding carries the position into its reason, as the CLI writes it
        const finding = findingFromError(failure);
        expect(finding.kind).toBe(bad.kind);
        expect(finding.reason).toContain(
          bad.position === null ? "" : `(position ${String(bad.position)}`,
        );
        // rejected by the planning pass, before anything could be written
        expect(planned).toBe(false);
        expect(await nonEmptyTables(db())).toEqual({});
      },
    );
  });

  describe.each(ACCEPTED)("accepts $name", (good) => {
    it.each(PIECE_SIZES)(
      "and writes exactly what it should (read in pieces of %i bytes)",
      async (pieceSize) => {
        await resetDatabase(db());
        const report = await importCase(db(), good.content, { pieceSize });

        good.check?.(report);
        expect(await nonEmptyTables(db())).toEqual(good.written);
      },
    );
  });
});
