/**
 * The shapes of what a Config import writes, checked over synthetic exports (no ../shared
 * needed), on both adapters: generated secrets and hashes, one LostPasswordHash per inserted user,
 * token hashes, option values as JSON text, role permissions in order, and the table counts the
 * generator (an independent oracle) predicts.
 */
import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { generateExportText, expectedConfigImportCounts } from "../../support/synthetic/index.ts";
import type { SyntheticExportOptions } from "../../support/synthetic/index.ts";
import { bufferSource } from "../../../lib/format/index.ts";
import { engineSuite, importSource, NOW, rowsOf, tableCounts } from "../../support/engine.ts";
import type { RawRow } from "../../support/engine.ts";

const OPTIONS: SyntheticExportOptions = {
  seed: "engine shapes",
  users: 60,
  legacy: "mixed",
  outOfScope: true,
  tokenFraction: 0.5,
  roleAssignmentFraction: 0.3,
  permissionFraction: 0.2,
  sentryAppFraction: 0.05,
};

function synthetic(options: SyntheticExportOptions) {
  const text = generateExportText(options);
  return { source: bufferSource(Buffer.from(text, "utf8")), rows: JSON.parse(text) as RawRow[] };
}

/** §8.3, written out independently of the product's reader. */
function optionValue(raw: unknown): unknown {
  if (typeof raw !== "string") {
    return raw;
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** §8.2 for the generator's encodings: a list, JSON text, or a Python literal without escapes. */
function permissionList(raw: unknown): unknown {
  if (typeof raw !== "string") {
    return raw;
  }
  try {
    return JSON.parse(raw);
  } catch {
    return JSON.parse(raw.replaceAll("'", '"').replace(/,\s*]$/, "]"));
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

engineSuite("shapes of the written rows", (db) => {
  it.each([
    ["current", { ...OPTIONS, legacy: false }],
    ["legacy", { ...OPTIONS, legacy: true }],
    ["mixed", OPTIONS],
    ["edge-case", { ...OPTIONS, seed: "edges", edgeCases: true, danglingReferences: true }],
  ] as const)(
    "a Config import of a %s synthetic export leaves the table counts the generator predicts",
    async (_name, options) => {
      await importSource(db(), synthetic(options).source);
      expect(await tableCounts(db())).toEqual(expectedConfigImportCounts(options));
    },
  );

  it("every inserted user gets an unusable password and exactly one LostPasswordHash of 32 alphanumerics dated now", async () => {
    await importSource(db(), synthetic(OPTIONS).source);
    const users = await rowsOf<{ password: string; hashes: string; hash: string; at: Date }>(
      db(),
      `SELECT u.password, count(h.id)::text AS hashes, min(h.hash) AS hash, min(h.date_added) AS at
       FROM auth_user u LEFT JOIN sentry_lostpasswordhash h ON h.user_id = u.id GROUP BY u.id`,
    );
    expect(users).toHaveLength(60);
    for (const u of users) {
      expect(u.password).toMatch(/^![A-Za-z0-9]{40}$/);
      expect(u.hashes).toBe("1");
      expect(u.hash).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(new Date(u.at).toISOString()).toBe(NOW);
    }
  });

  it("every UserEmail has a fresh 32-character validation_hash and no imported hash survives", async () => {
    const { source, rows } = synthetic(OPTIONS);
    await importSource(db(), source);
    const imported = new Set(
      rows.filter((r) => r.model === "sentry.useremail").map((r) => r.fields["validation_hash"]),
    );
    const hashes = await rowsOf<{ validation_hash: string }>(
      db(),
      "SELECT validation_hash FROM sentry_useremail",
    );
    expect(hashes.length).toBeGreaterThan(60);
    expect(hashes.filter((h) => !/^[A-Za-z0-9]{32}$/.test(h.validation_hash))).toEqual([]);
    expect(hashes.filter((h) => imported.has(h.validation_hash))).toEqual([]);
  });

  it("every API token's hashed_token and hashed_refresh_token are the SHA-256 hex of its stored secrets", async () => {
    await importSource(db(), synthetic(OPTIONS).source);
    const tokens = await rowsOf<{
      token: string;
      hashed_token: string;
      refresh_token: string | null;
      hashed_refresh_token: string | null;
      token_last_characters: string;
    }>(
      db(),
      "SELECT token, hashed_token, refresh_token, hashed_refresh_token, token_last_characters FROM sentry_apitoken",
    );
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) {
      expect(t.hashed_token).toBe(sha256(t.token));
      expect(t.hashed_refresh_token).toBe(
        t.refresh_token === null ? null : sha256(t.refresh_token),
      );
      expect(t.token_last_characters).toBe(t.token.slice(-4));
    }
  });

  it("option values are stored as the JSON text of the value read from the file, in either encoding", async () => {
    const { source, rows } = synthetic(OPTIONS);
    await importSource(db(), source);
    for (const [model, table] of [
      ["sentry.option", "sentry_option"],
      ["sentry.controloption", "sentry_controloption"],
    ] as const) {
      const expected = new Map(
        rows
          .filter((r) => r.model === model)
          .map((r) => [r.fields["key"], optionValue(r.fields["value"])]),
      );
      const stored = await rowsOf<{ key: string; value: string }>(
        db(),
        `SELECT key, value FROM ${table}`,
      );
      expect(stored.length).toBe(expected.size);
      for (const { key, value } of stored) {
        expect([key, JSON.parse(value)]).toEqual([key, expected.get(key)]);
      }
    }
  });

  it("role permissions are stored as arrays in the file's order, whatever their encoding", async () => {
    const { source, rows } = synthetic(OPTIONS);
    await importSource(db(), source);
    const expected = rows
      .filter((r) => r.model === "sentry.userrole")
      .map((r) => ({
        name: r.fields["name"],
        permissions: permissionList(r.fields["permissions"]),
      }));
    const stored = await rowsOf(
      db(),
      "SELECT name, permissions FROM sentry_userrole ORDER BY id::bigint",
    );
    expect(stored).toEqual(expected);
  });
});
