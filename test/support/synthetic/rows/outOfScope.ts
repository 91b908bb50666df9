/**
 * Rows a Config import must pass over (import-semantics.md §5), shaped like Sentry's fixtures:
 * an unknown Django app (`sites.site`), Organization-scope models, and Global-scope models.
 */
import { pkOf, rngFor, STREAM, type GenContext } from "../context.ts";
import { datetime, datetimeOrNull, instant, row, str } from "../format.ts";
import { joinedAt, userKind } from "../people.ts";
import { authenticatorPlan } from "../userData.ts";

/** Out-of-scope rows use one encoding per file: the importer never reads their fields. */
const legacyFile = (ctx: GenContext): boolean => ctx.o.legacy !== false;

export function* siteRows(ctx: GenContext): Generator<string> {
  if (ctx.o.outOfScope) {
    yield row(
      "sites.site",
      pkOf(ctx, "sites.site", 0),
      `"domain":"example.com","name":"example.com"`,
    );
  }
}

export function* organizationRows(ctx: GenContext): Generator<string> {
  const legacy = legacyFile(ctx);
  if (!ctx.o.outOfScope) {
    return;
  }
  for (let k = 0; k < ctx.o.organizations; k++) {
    const r = rngFor(ctx, STREAM.organization, k);
    const added = instant(r, ctx.epochMs, r.range(0, 3600 * 24 * 30));
    yield row(
      "sentry.organization",
      pkOf(ctx, "sentry.organization", k),
      `"name":${str(`Org ${k + 1}`)},"slug":${str(`org-${k + 1}`)},"status":0,"date_added":${datetime(added, legacy)},"default_role":"member","is_test":false,"flags":"1"`,
    );
  }
}

export function* projectRows(ctx: GenContext): Generator<string> {
  const legacy = legacyFile(ctx);
  if (!ctx.o.outOfScope) {
    return;
  }
  for (let k = 0; k < ctx.projects; k++) {
    const r = rngFor(ctx, STREAM.project, k);
    const added = instant(r, ctx.epochMs, r.range(0, 3600 * 24 * 60));
    const org = pkOf(ctx, "sentry.organization", k % ctx.o.organizations);
    yield row(
      "sentry.project",
      pkOf(ctx, "sentry.project", k),
      `"slug":${str(`project-${k + 1}`)},"name":${str(`Project ${k + 1}`)},"forced_color":null,"organization":${org},"public":false,"date_added":${datetime(added, legacy)},"status":0,"first_event":null,"flags":"10","platform":${str(r.pick(["python", "javascript", "go"]))}`,
    );
  }
}

export function* authenticatorRows(ctx: GenContext): Generator<string> {
  const legacy = legacyFile(ctx);
  let pk = pkOf(ctx, "sentry.authenticator", 0);
  for (let i = 0; ctx.o.outOfScope && i < ctx.o.users; i++) {
    for (const type of authenticatorPlan(ctx, i, userKind(ctx, i))) {
      const r = rngFor(ctx, STREAM.authenticators, 1_000_000_000 + i * 4 + type);
      const created = instant(r, joinedAt(ctx, i), r.range(60, 3600 * 24 * 30));
      const config = type === 3 ? { secret: r.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32) } : "";
      yield row(
        "sentry.authenticator",
        pk++,
        `"user":${pkOf(ctx, "sentry.user", i)},"created_at":${datetime(created, legacy)},"last_used_at":${datetimeOrNull(null, legacy)},"type":${type},"config":${legacy ? str(JSON.stringify(config)) : JSON.stringify(config)}`,
      );
    }
  }
}

export function* apiApplicationRows(ctx: GenContext): Generator<string> {
  const legacy = legacyFile(ctx);
  if (!ctx.o.outOfScope) {
    return;
  }
  for (let k = 0; k < ctx.applications; k++) {
    const r = rngFor(ctx, STREAM.application, k);
    const owner = ctx.o.users > 0 ? String(pkOf(ctx, "sentry.user", 0)) : "null";
    const added = instant(r, ctx.epochMs, r.range(0, 3600 * 24 * 30));
    yield row(
      "sentry.apiapplication",
      pkOf(ctx, "sentry.apiapplication", k),
      `"client_id":"${r.hex(64)}","client_secret":"${r.hex(64)}","owner":${owner},"name":${str(`app-${k + 1}`)},"status":0,"allowed_origins":"","redirect_uris":"","homepage_url":null,"privacy_url":null,"terms_url":null,"date_added":${datetime(added, legacy)}`,
    );
  }
}
