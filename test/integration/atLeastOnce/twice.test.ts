/**
 * import-semantics.md §12.3 scenario 3, §18.9: a delivery whose reply was lost comes again. The
 * second delivery of a chunk writes nothing (no data row, no ledger row, no pk-map row) and
 * answers with exactly what the first answered, rebuilt from the ledger row.
 */
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { importChunk } from "../../../lib/engine/chunkImporter.ts";
import type { ExportRow } from "../../../lib/export/envelope.ts";
import { importUuid } from "../../../lib/ledger/key.ts";
import type { ImportUuid } from "../../../lib/ledger/key.ts";
import type { ChunkOutcome } from "../../../lib/outcomes.ts";
import type { Database } from "../../../lib/ports.ts";
import {
  chunkRequest,
  DEFAULT_FLAGS,
  exportRows,
  naturalSnapshot,
  resetDatabase,
  runOf,
  tableCounts,
} from "../../support/faults.ts";
import { ADAPTER_KINDS, withTestDatabase } from "../../support/db.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

/** 12 users (shared and case-variant addresses, a 128-character username, emoji), with tokens. */
const ROWS = exportRows(
  generateExportText({
    seed: "at-least-once twice",
    users: 12,
    tokenFraction: 1,
    secondaryEmailFraction: 0.5,
    sharedEmailFraction: 0.3,
  }),
);
const USERS = runOf(ROWS, "sentry.user");
const OPTIONS = runOf(ROWS, "sentry.option");
const USER_EMAILS = runOf(ROWS, "sentry.useremail");
const TOKENS = runOf(ROWS, "sentry.apitoken");

function diff(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([table, n]): [string, number] => [table, n - (before[table] ?? 0)])
      .filter(([, n]) => n !== 0),
  );
}

function resultOf(outcome: ChunkOutcome) {
  if (!("result" in outcome)) {
    throw new Error(`expected a successful outcome, got ${JSON.stringify(outcome)}`);
  }
  return outcome.result;
}

interface Case {
  readonly model: string;
  readonly rows: readonly ExportRow[];
  /** earlier runs this chunk depends on, delivered first */
  readonly prerequisites: readonly (readonly ExportRow[])[];
  /** what the first delivery adds to each table */
  readonly growth: Record<string, number>;
}

const addressesOf = (rows: readonly ExportRow[]): Set<string> =>
  new Set(rows.map((row) => String(row.fields["email"]).toLowerCase()));
const userAddresses = addressesOf(USERS);
/** secondary addresses no user has as primary: their UserEmail also get-or-creates an Email */
const newAddresses = [...addressesOf(USER_EMAILS)].filter((a) => !userAddresses.has(a)).length;

const CASES: readonly Case[] = [
  {
    model: "sentry.user",
    rows: USERS,
    prerequisites: [],
    growth: {
      "public.auth_user": USERS.length,
      "public.sentry_useremail": USERS.length,
      "public.sentry_email": userAddresses.size,
      "public.sentry_lostpasswordhash": USERS.length,
      "public.sentry_controlimportchunk": 1,
      "public.sentry_controlimportchunkreplica": 1,
      "sentry_import.pk_map": USERS.length,
    },
  },
  {
    model: "sentry.option",
    rows: OPTIONS,
    prerequisites: [],
    growth: {
      "public.sentry_option": OPTIONS.length,
      "public.sentry_regionimportchunk": 1,
    },
  },
  {
    model: "sentry.useremail",
    rows: USER_EMAILS,
    prerequisites: [USERS],
    growth: {
      // primary addresses update the users' own rows; secondaries are new rows (and addresses)
      "public.sentry_useremail": USER_EMAILS.length - USERS.length,
      "public.sentry_email": newAddresses,
      "public.sentry_controlimportchunk": 1,
      "public.sentry_controlimportchunkreplica": 1,
    },
  },
  {
    model: "sentry.apitoken",
    rows: TOKENS,
    prerequisites: [USERS],
    growth: {
      "public.sentry_apitoken": TOKENS.length,
      "public.sentry_controlimportchunk": 1,
      "public.sentry_controlimportchunkreplica": 1,
    },
  },
];

describe.each(ADAPTER_KINDS)("on %s", (kind) => {
  const db = withTestDatabase(kind);
  let uuid: ImportUuid;

  beforeEach(async () => {
    await resetDatabase(db());
    uuid = importUuid(randomUUID());
  });

  async function deliver(database: Database, rows: readonly ExportRow[], visible: string[]) {
    return importChunk(database, chunkRequest(uuid, rows, { visibleModels: visible }));
  }

  async function prepare(prerequisites: Case["prerequisites"]): Promise<string[]> {
    const visible: string[] = [];
    for (const rows of prerequisites) {
      expect((await deliver(db(), rows, visible)).kind).toBe("imported");
      visible.push(rows[0]?.model ?? "");
    }
    return visible;
  }

  describe.each(CASES)("a $model chunk", ({ rows, prerequisites, growth }) => {
    it("processes the same chunk twice and writes once", async () => {
      const visible = await prepare(prerequisites);
      const before = await tableCounts(db());

      const first = await deliver(db(), rows, visible);
      const afterFirst = await tableCounts(db());
      const snapshot = await naturalSnapshot(db());
      const second = await deliver(db(), rows, visible);
      const afterSecond = await tableCounts(db());

      expect(first.kind).toBe("imported");
      expect(second.kind).toBe("alreadyImported");
      expect(diff(before, afterFirst)).toEqual(growth);
      expect(afterSecond).toEqual(afterFirst);
      expect(await naturalSnapshot(db())).toEqual(snapshot);
      // the identical reply: ordinals, source pks, inserted pks, the pk map
      expect(resultOf(second)).toEqual(resultOf(first));
      expect(resultOf(first).mappedPks).toHaveLength(rows.length);
      expect(resultOf(first)).toMatchObject({
        minOrdinal: 1,
        maxOrdinal: rows.length,
        minSourcePk: rows[0]?.pk,
      });
    });

    it("answers every further delivery the same way, without writing", async () => {
      const visible = await prepare(prerequisites);
      const first = resultOf(await deliver(db(), rows, visible));
      const counts = await tableCounts(db());

      const again = await Promise.all([1, 2, 3].map(async () => deliver(db(), rows, visible)));

      expect(again.map((o) => o.kind)).toEqual([
        "alreadyImported",
        "alreadyImported",
        "alreadyImported",
      ]);
      for (const outcome of again) {
        expect(resultOf(outcome)).toEqual(first);
      }
      expect(await tableCounts(db())).toEqual(counts);
    });
  });

  it.each([
    { model: "sentry.user", rows: USERS, flags: { mergeUsers: true }, kind: "Existing" },
    { model: "sentry.option", rows: OPTIONS, flags: { overwriteConfigs: true }, kind: "Overwrite" },
  ] as const)(
    "processes the same $model chunk twice and writes once when its rows are $kind",
    async ({ rows, flags, kind: expectedKind }) => {
      // the same rows were imported before, by another import
      const earlier = await importChunk(db(), chunkRequest(importUuid(randomUUID()), rows));
      expect(earlier.kind).toBe("imported");
      const request = chunkRequest(uuid, rows, { flags: { ...DEFAULT_FLAGS, ...flags } });
      const before = await tableCounts(db());

      const first = await importChunk(db(), request);
      const afterFirst = await tableCounts(db());
      const snapshot = await naturalSnapshot(db());
      const second = await importChunk(db(), request);

      expect([first.kind, second.kind]).toEqual(["imported", "alreadyImported"]);
      expect(resultOf(first).mappedPks.map((row) => row.kind)).toEqual(
        rows.map(() => expectedKind),
      );
      // rebuilt from the ledger row's existing_map / overwrite_map: the same kinds and pks
      expect(resultOf(second)).toEqual(resultOf(first));
      expect(resultOf(first).minInsertedPk).toBeNull();
      // nothing new but the ledger row (and replica) and the pk map (users) of the first delivery
      expect(diff(before, afterFirst)).toEqual(
        expectedKind === "Existing"
          ? {
              "public.sentry_controlimportchunk": 1,
              "public.sentry_controlimportchunkreplica": 1,
              "sentry_import.pk_map": rows.length,
            }
          : // options are no FK target: their pks live in the ledger maps only
            { "public.sentry_regionimportchunk": 1 },
      );
      expect(await tableCounts(db())).toEqual(afterFirst);
      expect(await naturalSnapshot(db())).toEqual(snapshot);
    },
  );

  it("treats a redelivery with the import uuid spelled without dashes as the same chunk", async () => {
    const first = await deliver(db(), OPTIONS, []);
    const counts = await tableCounts(db());

    const undashed = await importChunk(
      db(),
      chunkRequest(uuid.replaceAll("-", "").toUpperCase() as ImportUuid, OPTIONS),
    );

    expect(undashed.kind).toBe("alreadyImported");
    expect(resultOf(undashed)).toEqual(resultOf(first));
    expect(await tableCounts(db())).toEqual(counts);
  });

  it("processes a chunk that records nothing twice and writes nothing either time", async () => {
    // every option belongs to a user that is not in the pk map: all rows skipped (§11.3)
    const orphans = runOf(ROWS, "sentry.useroption");
    const before = await tableCounts(db());

    const first = await deliver(db(), orphans, ["sentry.user"]);
    const second = await deliver(db(), orphans, ["sentry.user"]);

    // no ledger row, so the second delivery runs again and skips the same rows again
    expect([first.kind, second.kind]).toEqual(["imported", "imported"]);
    expect(resultOf(second)).toEqual(resultOf(first));
    expect(resultOf(first).mappedPks).toEqual([]);
    expect(await tableCounts(db())).toEqual(before);
  });
});
