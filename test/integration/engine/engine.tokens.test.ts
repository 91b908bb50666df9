/**
 * import-semantics.md §18.6 (API tokens) and the personal authorizations of §9.9, on both
 * adapters. Pre-existing tokens come from a first import of the same file.
 */
import { createHash } from "node:crypto";
import type { Db } from "../../../lib/ports.ts";
import { expect, it } from "vitest";
import { count, engineSuite, importRows, NOW, row, rowsOf, userRow } from "../../support/engine.ts";
import type { RawRow } from "../../support/engine.ts";

const HEX64 = "[0-9a-f]{64}";

function token(pk: number, fields: Record<string, unknown>): RawRow {
  return row("sentry.apitoken", pk, {
    application: null,
    user: 1,
    scoping_organization_id: null,
    name: null,
    token_type: "sntryu_",
    scopes: "0",
    scope_list: ["org:read"],
    date_added: "2023-06-22T00:00:00.000Z",
    expires_at: "2023-07-22T00:00:00.000Z",
    ...fields,
  });
}

/** Four personal tokens of one user, with and without refresh tokens and expiry. */
const TOKENS: readonly RawRow[] = [
  userRow(1, "token-owner"),
  token(1, {
    token: `sntryu_${"a".repeat(64)}`,
    refresh_token: `sntryu_${"b".repeat(64)}`,
  }),
  token(2, {
    token: `sntryu_${"c".repeat(64)}`,
    refresh_token: null,
    expires_at: null,
  }),
  token(3, {
    token_type: null,
    token: "376aaa5e68cb410e8716adb40d29ea53",
    refresh_token: "6e09077f6ed9499a92b4e4a3bde238c3fff36569552b4275a1ffbecce6227b47",
    scope_list: "['project:read', 'org:read']",
  }),
  token(4, {
    token: `sntryu_${"d".repeat(64)}`,
    refresh_token: null,
    expires_at: "2024-01-01T00:00:00.000Z",
  }),
];

interface TokenRecord {
  id: string;
  user_id: string;
  token: string;
  hashed_token: string | null;
  token_last_characters: string | null;
  refresh_token: string | null;
  hashed_refresh_token: string | null;
  expires_at: Date | string | null;
  scope_list: string[];
}

async function tokens(db: Db): Promise<TokenRecord[]> {
  return rowsOf<TokenRecord & Record<string, unknown>>(
    db,
    `SELECT id::text AS id, user_id::text AS user_id, token, hashed_token, token_last_characters,
       refresh_token, hashed_refresh_token, expires_at, scope_list
     FROM sentry_apitoken ORDER BY id::bigint`,
  );
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

engineSuite("§18.6 API tokens", (db) => {
  it("a Config import inserts colliding personal tokens with newly minted secrets and never modifies existing tokens: 4 pre-existing + 4 imported = 8 rows", async () => {
    await importRows(db(), TOKENS);
    const before = await tokens(db());
    expect(before.map((t) => t.token)).toEqual(
      TOKENS.slice(1).map((t) => t.fields["token"] as string),
    );

    await importRows(db(), TOKENS, { mergeUsers: true });

    const after = await tokens(db());
    expect(after).toHaveLength(8);
    expect(after.slice(0, 4)).toEqual(before);
    const reminted = after.slice(4);
    expect(reminted.map((t) => t.user_id)).toEqual(before.map((t) => t.user_id));
    expect(reminted[0]?.token).toMatch(new RegExp(`^sntryu_${HEX64}$`));
    expect(reminted[0]?.refresh_token).toMatch(new RegExp(`^sntryu_${HEX64}$`));
    expect(reminted[2]?.token).toMatch(new RegExp(`^${HEX64}$`));
    expect(reminted[2]?.refresh_token).toMatch(new RegExp(`^${HEX64}$`));
    const secrets = after.flatMap((t) => [t.token, t.refresh_token]).filter((s) => s !== null);
    expect(new Set(secrets).size).toBe(secrets.length);
    // an expiring token gets a fresh expiry of now + 30 days
    expect(iso(reminted[0]?.expires_at ?? null)).toBe("2031-04-03T05:06:07.000Z");
    expect(iso(reminted[3]?.expires_at ?? null)).toBe("2031-04-03T05:06:07.000Z");
    expect(reminted[2]?.scope_list).toEqual(["project:read", "org:read"]);
  });

  it("re-minted tokens that had a null refresh_token and a null expires_at keep both null", async () => {
    await importRows(db(), TOKENS);
    await importRows(db(), TOKENS);
    const nulls = (await tokens(db())).filter((t) => t.refresh_token === null);
    expect(nulls).toHaveLength(4);
    const pairs = nulls.map((t) => [t.hashed_refresh_token, iso(t.expires_at)]);
    expect(pairs).toEqual([
      [null, null],
      [null, "2024-01-01T00:00:00.000Z"],
      [null, null],
      [null, "2031-04-03T05:06:07.000Z"],
    ]);
  });

  it("hashed_token, hashed_refresh_token and token_last_characters match the stored plaintext", async () => {
    await importRows(db(), [
      ...TOKENS.map((r) =>
        r.model === "sentry.apitoken"
          ? row(r.model, r.pk, {
              ...r.fields,
              hashed_token: "stale",
              hashed_refresh_token: "stale",
              token_last_characters: "zzzz",
            })
          : r,
      ),
      // no secrets and no expiry at all: they are generated
      row("sentry.apitoken", 5, {
        application: null,
        user: 1,
        token_type: "sntryu_",
        scopes: "0",
        scope_list: [],
      }),
    ]);
    await importRows(db(), TOKENS);
    const all = await tokens(db());
    expect(all).toHaveLength(9);
    for (const t of all) {
      expect(t.hashed_token).toBe(sha256(t.token));
      expect(t.token_last_characters).toBe(t.token.slice(-4));
      expect(t.hashed_refresh_token).toBe(
        t.refresh_token === null ? null : sha256(t.refresh_token),
      );
    }
    const generated = all[4];
    expect(generated?.token).toMatch(new RegExp(`^sntryu_${HEX64}$`));
    expect(generated?.refresh_token).toMatch(new RegExp(`^sntryu_${HEX64}$`));
    expect(iso(generated?.expires_at ?? null)).toBe(
      new Date(Date.parse(NOW) + 30 * 86_400_000).toISOString(),
    );
  });

  it("tokens and authorizations bound to an application or an organization are skipped in a Config import; personal ones are imported", async () => {
    const authorization = (pk: number, fields: Record<string, unknown>) =>
      row("sentry.apiauthorization", pk, {
        application: null,
        user: 1,
        organization_id: null,
        scopes: "0",
        scope_list: "[]",
        date_added: "2023-06-22T00:00:00.000Z",
        ...fields,
      });
    const report = await importRows(db(), [
      userRow(1, "token-owner"),
      token(1, { token: `sntryu_${"1".repeat(64)}`, refresh_token: null }),
      token(2, { token: `sntryu_${"2".repeat(64)}`, refresh_token: null, application: 1 }),
      token(3, {
        token: `sntryu_${"3".repeat(64)}`,
        refresh_token: null,
        scoping_organization_id: 4,
      }),
      authorization(1, {}),
      authorization(2, { application: 2 }),
      authorization(3, { organization_id: 4 }),
    ]);
    expect((await tokens(db())).map((t) => t.token)).toEqual([`sntryu_${"1".repeat(64)}`]);
    expect(await count(db(), "sentry_apiauthorization")).toBe(1);
    const summary = report.summary.models.filter((m) => m.model.startsWith("sentry.api"));
    expect(summary).toEqual([
      expect.objectContaining({ model: "sentry.apitoken", rows: 3, inserted: 1, skipped: 2 }),
      expect.objectContaining({
        model: "sentry.apiauthorization",
        rows: 3,
        inserted: 1,
        skipped: 2,
      }),
    ]);
  });
});
