/**
 * Rows that hang off a user: permissions, role assignments, user options, API tokens and
 * authorizations (import-semantics.md §3.2). Each run walks the users in pk order, so pks ascend.
 */
import { createHash } from "node:crypto";
import { pkOf, reseed, STREAM, type GenContext } from "../context.ts";
import {
  datetime,
  datetimeOrNull,
  instant,
  row,
  scopeListField,
  str,
  strOrNull,
  userOptionValue,
} from "../format.ts";
import { joinedAt, privileges, userKind } from "../people.ts";
import { Rng } from "../prng.ts";
import {
  authorizationPlan,
  permissionPlan,
  roleAssignmentPlan,
  tokenPlan,
  userOptionPlan,
  type TokenPlan,
} from "../userData.ts";

const userPk = (ctx: GenContext, i: number): number => pkOf(ctx, "sentry.user", i);

/** A user pk that no row has, for the `danglingReferences` rows. */
const ghostUserPk = (ctx: GenContext): number => pkOf(ctx, "sentry.user", ctx.o.users);

export function* userPermissionRows(ctx: GenContext): Generator<string> {
  let pk = pkOf(ctx, "sentry.userpermission", 0);
  for (let i = 0; i < ctx.o.users; i++) {
    const kind = userKind(ctx, i);
    for (const permission of permissionPlan(ctx, i, kind, privileges(ctx, i, kind))) {
      yield row(
        "sentry.userpermission",
        pk++,
        `"user":${userPk(ctx, i)},"permission":${str(permission)}`,
      );
    }
  }
  if (ctx.o.danglingReferences) {
    yield row("sentry.userpermission", pk, `"user":${ghostUserPk(ctx)},"permission":"users.admin"`);
  }
}

export function* userRoleUserRows(ctx: GenContext): Generator<string> {
  const r = new Rng();
  let pk = pkOf(ctx, "sentry.userroleuser", 0);
  const fields = (user: number, role: number, at: number): string =>
    `"date_updated":${datetime(at + 1000, ctx.legacy)},"date_added":${datetimeOrNull(at, ctx.legacy)},"user":${user},"role":${role}`;
  for (let i = 0; i < ctx.o.users; i++) {
    const kind = userKind(ctx, i);
    const roles = roleAssignmentPlan(ctx, i, kind, privileges(ctx, i, kind));
    if (roles.length === 0) {
      continue;
    }
    reseed(r, ctx, STREAM.roleAssignments, 1_000_000_000 + i);
    for (const role of roles) {
      const at = instant(r, joinedAt(ctx, i), r.range(60, 3600 * 24 * 30));
      yield row(
        "sentry.userroleuser",
        pk++,
        fields(userPk(ctx, i), pkOf(ctx, "sentry.userrole", role), at),
      );
    }
  }
  if (ctx.o.danglingReferences && ctx.o.users > 0) {
    // The role pk is not in the file: the assignment must be skipped without error.
    yield row(
      "sentry.userroleuser",
      pk,
      fields(userPk(ctx, 0), pkOf(ctx, "sentry.userrole", ctx.o.roles), ctx.epochMs),
    );
  }
}

export function* userOptionRows(ctx: GenContext): Generator<string> {
  let pk = pkOf(ctx, "sentry.useroption", 0);
  const fields = (
    user: number,
    project: number | null,
    org: number | null,
    key: string,
    value: unknown,
  ): string =>
    `"user":${user},"project_id":${project ?? "null"},"organization_id":${org ?? "null"},"key":${str(key)},"value":${userOptionValue(value, ctx.legacy)}`;
  for (let i = 0; i < ctx.o.users; i++) {
    for (const o of userOptionPlan(ctx, i, userKind(ctx, i))) {
      const project = o.project === null ? null : pkOf(ctx, "sentry.project", o.project);
      const org = o.organization === null ? null : pkOf(ctx, "sentry.organization", o.organization);
      yield row("sentry.useroption", pk++, fields(userPk(ctx, i), project, org, o.key, o.value));
    }
  }
  if (ctx.o.danglingReferences) {
    yield row("sentry.useroption", pk, fields(ghostUserPk(ctx), null, null, "timezone", "UTC"));
  }
}

const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");

function tokenFields(ctx: GenContext, user: number, t: TokenPlan): string {
  const application =
    t.application === null ? "null" : String(pkOf(ctx, "sentry.apiapplication", t.application));
  const org =
    t.scopingOrganization === null
      ? "null"
      : String(pkOf(ctx, "sentry.organization", t.scopingOrganization));
  const hashedRefresh = t.refreshToken === null ? null : sha256Hex(t.refreshToken);
  return `"application":${application},"user":${user},"scoping_organization_id":${org},"name":${strOrNull(t.name)},"token":${str(t.token)},"hashed_token":"${sha256Hex(t.token)}","token_type":${strOrNull(t.tokenType)},"token_last_characters":${str(t.token.slice(-4))},"refresh_token":${strOrNull(t.refreshToken)},"hashed_refresh_token":${strOrNull(hashedRefresh)},"expires_at":${datetimeOrNull(t.expiresAt, ctx.legacy)},"date_added":${datetime(t.dateAdded, ctx.legacy)},"scopes":${str(t.scopes)},"scope_list":${scopeListField(t.scopeList, ctx.legacy)}`;
}

export function* apiTokenRows(ctx: GenContext): Generator<string> {
  let pk = pkOf(ctx, "sentry.apitoken", 0);
  for (let i = 0; i < ctx.o.users; i++) {
    for (const t of tokenPlan(ctx, i, userKind(ctx, i))) {
      yield row("sentry.apitoken", pk++, tokenFields(ctx, userPk(ctx, i), t));
    }
  }
  if (ctx.o.danglingReferences) {
    const ghost: TokenPlan = {
      application: null,
      scopingOrganization: null,
      name: "ghost",
      tokenType: "sntryu_",
      token: `sntryu_${"0".repeat(60)}dead`,
      refreshToken: null,
      expiresAt: null,
      dateAdded: ctx.epochMs,
      scopes: "0",
      scopeList: [],
    };
    yield row("sentry.apitoken", pk, tokenFields(ctx, ghostUserPk(ctx), ghost));
  }
}

export function* apiAuthorizationRows(ctx: GenContext): Generator<string> {
  let pk = pkOf(ctx, "sentry.apiauthorization", 0);
  for (let i = 0; i < ctx.o.users; i++) {
    for (const a of authorizationPlan(ctx, i, userKind(ctx, i))) {
      const application =
        a.application === null ? "null" : String(pkOf(ctx, "sentry.apiapplication", a.application));
      const org =
        a.organization === null ? "null" : String(pkOf(ctx, "sentry.organization", a.organization));
      yield row(
        "sentry.apiauthorization",
        pk++,
        `"application":${application},"user":${userPk(ctx, i)},"date_added":${datetime(a.dateAdded, ctx.legacy)},"organization_id":${org},"scopes":${str(a.scopes)},"scope_list":${scopeListField(a.scopeList, ctx.legacy)}`,
      );
    }
  }
}
