/**
 * import-semantics.md §12.3, §17: a whole import in which every chunk's first delivery dies
 * before one of its statements and the queue delivers it again. Rotating the fatal statement
 * over all imports hits every statement of every chunk of every model (the overwritable config
 * models, users and their side effects, emails, roles, assignments, tokens…); each import must
 * still end equal to an import without failures. The death is a retryable error thrown from
 * `beforeStatement`, which the orchestrator answers with a redelivery.
 *
 * Twice: into an empty database (inserts and side effects), and onto a database that already
 * holds the same data, with `merge_users` and `overwrite_configs` (Existing and Overwrite rows,
 * UPDATEs, re-minted tokens, skipped user-owned rows).
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { runImport } from "../../../lib/engine/runImport.ts";
import type { ImportReport, RunImportOptions } from "../../../lib/engine/runImport.ts";
import type { ImportFlags } from "../../../lib/writer/types.ts";
import { DbError } from "../../../lib/errors.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import type { LedgerKey } from "../../../lib/ledger/key.ts";
import { ADAPTER_KINDS, withTestDatabase } from "../../support/db.ts";
import {
  bytesSource,
  DEFAULT_FLAGS,
  FIXED_NOW,
  ledgerPkMapDisagreements,
  naturalSnapshot,
  resetDatabase,
  tableCounts,
} from "../../support/faults.ts";
import type { NaturalSnapshot } from "../../support/faults.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

const SOURCE = bytesSource(
  generateExportText({
    seed: "every chunk crashes once",
    users: 12,
    legacy: "mixed",
    outOfScope: true,
    danglingReferences: true,
    tokenFraction: 0.5,
    authorizationFraction: 0.3,
    roleAssignmentFraction: 0.4,
    permissionFraction: 0.3,
  }),
);
const UUID = importUuid(randomUUID());
/** the import that put the same data there first */
const EARLIER_UUID = importUuid(randomUUID());

function nameOf(chunk: LedgerKey): string {
  return `${chunk.model}/${String(chunk.minOrdinal)}`;
}

interface Scenario {
  readonly name: string;
  readonly flags: ImportFlags;
  /** import the same export first, under another import uuid */
  readonly existingData: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { name: "into an empty database", flags: DEFAULT_FLAGS, existingData: false },
  {
    name: "onto the same data, merging users and overwriting configs",
    flags: { ...DEFAULT_FLAGS, mergeUsers: true, overwriteConfigs: true },
    existingData: true,
  },
];

/** Re-minted tokens are random: compare everything of a token but its secrets. */
function withoutSecrets(snapshot: NaturalSnapshot): NaturalSnapshot {
  const tokens = (snapshot["sentry_apitoken"] ?? []).map((row) => {
    const fields = JSON.parse(row) as Record<string, unknown>;
    for (const secret of [
      "token",
      "hashed_token",
      "refresh_token",
      "hashed_refresh_token",
      "token_last_characters",
    ]) {
      fields[secret] = fields[secret] === null ? null : "<secret>";
    }
    return JSON.stringify(fields);
  });
  return { ...snapshot, sentry_apitoken: tokens.sort() };
}

describe.each(ADAPTER_KINDS)("on %s", (kind) => {
  const db = withTestDatabase(kind);

  describe.each(SCENARIOS)("$name", (scenario) => {
    let reference: {
      report: ImportReport;
      statements: Map<string, number>;
      counts: Record<string, number>;
      snapshot: NaturalSnapshot;
    };

    async function run(options: Partial<RunImportOptions>): Promise<ImportReport> {
      return runImport(db(), SOURCE, {
        importUuid: UUID,
        settings: { scope: "Config", chunkSize: 6, flags: scenario.flags, usernameFilter: null },
        concurrency: kind === "postgres" ? 3 : 1,
        dryRun: false,
        now: FIXED_NOW,
        retryAttempts: 2,
        retryDelay: () => 0,
        ...options,
      });
    }

    async function prepare(): Promise<void> {
      await resetDatabase(db());
      if (scenario.existingData) {
        await runImport(db(), SOURCE, {
          importUuid: EARLIER_UUID,
          settings: { scope: "Config", chunkSize: 50, flags: DEFAULT_FLAGS, usernameFilter: null },
          concurrency: 1,
          dryRun: false,
          now: FIXED_NOW,
        });
      }
    }

    beforeAll(async () => {
      await prepare();
      const statements = new Map<string, number>();
      const report = await run({
        chunkOptions: {
          beforeStatement: (index, _sql, chunk) => {
            statements.set(nameOf(chunk), index + 1);
          },
        },
      });
      reference = {
        report,
        statements,
        counts: await tableCounts(db()),
        snapshot: withoutSecrets(await naturalSnapshot(db())),
      };
    });

    it("survives a crash before any statement of any chunk of a whole import, then redelivery", async () => {
      const longest = Math.max(...reference.statements.values());
      expect(reference.statements.size).toBeGreaterThan(15);

      for (let rotation = 0; rotation < longest; rotation += 1) {
        await prepare();
        const crashed = new Set<string>();

        const report = await run({
          chunkOptions: {
            beforeStatement: (index, sql, chunk) => {
              const name = nameOf(chunk);
              const count = reference.statements.get(name) ?? 1;
              if (!crashed.has(name) && index === rotation % count) {
                crashed.add(name);
                throw new DbError("retryable", `injected crash before ${sql.slice(0, 40)}`);
              }
            },
          },
        });

        expect(crashed.size).toBe(reference.statements.size);
        expect({ rotation, snapshot: withoutSecrets(await naturalSnapshot(db())) }).toEqual({
          rotation,
          snapshot: reference.snapshot,
        });
        expect(await tableCounts(db())).toEqual(reference.counts);
        expect(report.summary).toEqual(reference.report.summary);
        expect(await ledgerPkMapDisagreements(db())).toEqual([]);
      }
    });
  });
});
