/**
 * `sentry.apitoken` (§9.8): a token whose secret (or non-null refresh secret) is already taken,
 * in the database or earlier in the run, gets newly minted secrets; existing tokens are never
 * touched. The derived columns are recomputed from the stored secrets.
 */
import type { ResolvedValue } from "../export/row.ts";
import type { Db } from "../ports.ts";
import { API_TOKEN } from "../registry/names.ts";
import { requireModel } from "../registry/registry.ts";
import { mintTokenSecret, sha256Hex } from "../secrets.ts";
import { ChunkWrites } from "./chunkWrites.ts";
import { completeValues, nowPlus30Days, textOf } from "./records.ts";
import { quoteIdent } from "./sql.ts";
import type { ModelWriter } from "./types.ts";

const apiTokenModel = requireModel(API_TOKEN);

async function findTakenSecrets(
  db: Db,
  tokens: readonly string[],
  refreshTokens: readonly string[],
): Promise<{ tokens: Set<string>; refreshTokens: Set<string> }> {
  const { rows } = await db.query<{ token: string; refresh_token: string | null }>(
    `SELECT token, refresh_token FROM ${quoteIdent(apiTokenModel.table)}
     WHERE token = ANY($1::text[]) OR refresh_token = ANY($2::text[])`,
    [tokens, refreshTokens],
  );
  return {
    tokens: new Set(rows.map((r) => r.token)),
    refreshTokens: new Set(
      rows.flatMap((r) => (r.refresh_token === null ? [] : [r.refresh_token])),
    ),
  };
}

function withDerivedColumns(values: Record<string, ResolvedValue>): Record<string, ResolvedValue> {
  const token = textOf(values, "token");
  const refresh = values["refresh_token"];
  return {
    ...values,
    hashed_token: sha256Hex(token),
    token_last_characters: token.slice(-4),
    hashed_refresh_token: typeof refresh === "string" ? sha256Hex(refresh) : null,
  };
}

export const writeApiTokens: ModelWriter = async (ctx, rows) => {
  const completed = rows.map((writable) => ({
    writable,
    values: completeValues(writable, ctx.now),
  }));
  const taken = await findTakenSecrets(
    ctx.db,
    completed.map((c) => textOf(c.values, "token")),
    completed.flatMap((c) =>
      typeof c.values["refresh_token"] === "string" ? [c.values["refresh_token"]] : [],
    ),
  );
  const writes = new ChunkWrites(apiTokenModel);
  for (const { writable, values } of completed) {
    const token = textOf(values, "token");
    const refresh = values["refresh_token"];
    const collides =
      taken.tokens.has(token) || (typeof refresh === "string" && taken.refreshTokens.has(refresh));
    if (collides) {
      const tokenType = typeof values["token_type"] === "string" ? values["token_type"] : null;
      values["token"] = mintTokenSecret(tokenType);
      if (typeof refresh === "string") {
        values["refresh_token"] = mintTokenSecret(tokenType);
      }
      if (values["expires_at"] !== null) {
        values["expires_at"] = nowPlus30Days(ctx.now);
      }
    }
    taken.tokens.add(textOf(values, "token"));
    const storedRefresh = values["refresh_token"];
    if (typeof storedRefresh === "string") {
      taken.refreshTokens.add(storedRefresh);
    }
    writes.insert(writable, withDerivedColumns(values));
  }
  return writes.flush(ctx.db);
};
