/**
 * Rows that hang off a user: permissions, role assignments, user options, API tokens and
 * authorizations (import-semantics.md §3.2). Each run walks the users in pk order, so pks ascend.
 */
import { createHash } from "node:crypto";
import { legacyRow, pkOf, reseed, STREAM, type GenContext } from "../context.ts";
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
  const assignment = (rowPk: number, user: number, role: number, at: number): string => {
    const legacy = legacyRow(ctx, "sentry.userroleuser", rowPk);
    return row(
      "sentry.userroleuser",
      rowPk,
      `"date_updated":${datetime(at + 1000, legacy)},"date_added":${datetimeOrNull(at, legacy)},"user":${user},"role":${role}`,
    );
  };
  for (let i = 0; i < ctx.o.users; i++) {
    const kind = userKind(ctx, i);
    const roles = roleAssignmentPlan(ctx, i, kind, privileges(ctx, i, kind));
    if (roles.length === 0) {
      continue;
    }
    reseed(r, ctx, STREAM.roleAssignments, 1_000_000_000 + i);
    for (const role of roles) {
      const at = instant(r, joinedAt(ctx, i), r.range(60, 3600 * 24 * 30));
      yield assignment(pk++, userPk(ctx, i), pkOf(ctx, "sentry.userrole", role), at);
    }
  }
  if (ctx.o.danglingReferences && ctx.o.users > 0) {
    // The role pk is not in the file: the assignment must be skipped without error.
    yield assignment(pk, userPk(ctx, 0), pkOf(ctx, "sentry.userrole", ctx.o.roles), ctx.epochMs);
  }
}

export function* userOptionRows(ctx: GenContext): Generator<string> {
  let pk = pkOf(ctx, "sentry.useroption", 0);
  const option = (
    rowPk: number,
    user: number,
    project: number | null,
    org: number | null,
    key: string,
    value: unknown,
  ): string => {
    const legacy = legacyRow(ctx, "sentry.useroption", rowPk);
    return row(
      "sentry.useroption",
      rowPk,
      `"user":${user},"project_id":${project ?? "null"},"organization_id":${org ?? "null"},"key":${str(key)},"value":${userOptionValue(value, legacy)}`,
    );
  };
  for (let i = 0; i < ctx.o.users; i++) {
    for (const o of userOptionPlan(ctx, i, userKind(ctx, i))) {
      const project = o.project === null ? null : pkOf(ctx, "sentry.project", o.project);
      const org = o.organization === null ? null : pkOf(ctx, "sentry.organization", o.organization);
      yield option(pk++, userPk(ctx, i), project, org, o.key, o.value);
    }
  }
  if (ctx.o.danglingReferences) {
    yield option(pk, ghostUserPk(ctx), null, null, "timezone", "UTC");
  }
}

const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");

function tokenRow(ctx: GenContext, pk: number, user: number, t: TokenPlan): string {
  const legacy = legacyRow(ctx, "sentry.apitoken", pk);
  const application =
    t.application === null ? "null" : String(pkOf(ctx, "sentry.apiapplication", t.application));
  const org =
    t.scopingOrganization === null
      ? "null"
      : String(pkOf(ctx, "sentry.organization", t.scopingOrganization));
  const hashedRefresh = t.refreshToken === null ? null : sha256Hex(t.refreshToken);
  return row(
    "sentry.apitoken",
    pk,
    `"application":${application},"user":${user},"scoping_organization_id":${org},"name":${strOrNull(t.name)},"token":${str(t.token)},"hashed_token":"${sha256Hex(t.token)}","token_type":${strOrNull(t.tokenType)},"token_last_characters":${str(t.token.slice(-4))},"refresh_token":${strOrNull(t.refreshToken)},"hashed_refresh_token":${strOrNull(hashedRefresh)},"expires_at":${datetimeOrNull(t.expiresAt, legacy)},"date_added":${datetime(t.dateAdded, legacy)},"scopes":${str(t.scopes)},"scope_list":${scopeListField(t.scopeList, legacy)}`,
  );
}

export function* apiTokenRows(ctx: GenContext): Generator<string> {
  let pk = pkOf(ctx, "sentry.apitoken", 0);
  for (let i = 0; i < ctx.o.users; i++) {
    for (const t of tokenPlan(ctx, i, userKind(ctx, i))) {
      yield tokenRow(ctx, pk++, userPk(ctx, i), t);
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
    yield tokenRow(ctx, pk, ghostUserPk(ctx), ghost);
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
      const legacy = legacyRow(ctx, "sentry.apiauthorization", pk);
      yield row(
        "sentry.apiauthorization",
        pk++,
        `"application":${application},"user":${userPk(ctx, i)},"date_added":${datetime(a.dateAdded, legacy)},"organization_id":${org},"scopes":${str(a.scopes)},"scope_list":${scopeListField(a.scopeList, legacy)}`,
      );
    }
  }
}
