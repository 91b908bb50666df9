/**
 * What each user owns besides its addresses: permissions, role assignments, options, tokens,
 * authorizations and authenticators. Pure functions of (context, user index), like people.ts.
 */
import { reseed, STREAM, type GenContext } from "./context.ts";
import { instant } from "./format.ts";
import { isPrivileged, joinedAt, type Privileges, type UserKind } from "./people.ts";
import { Rng } from "./prng.ts";
import { API_SCOPES, LANGUAGES, PERMISSIONS, THEMES, TIMEZONES } from "./vocab.ts";

const rng = new Rng();

/** Distinct permissions, in PERMISSIONS order. Admins are likelier to hold them. */
export function permissionPlan(
  ctx: GenContext,
  index: number,
  kind: UserKind,
  p: Privileges,
): readonly string[] {
  if (kind === "app") {
    return [];
  }
  const r = reseed(rng, ctx, STREAM.permissions, index);
  const has = isPrivileged(p) ? r.chance(0.7) : r.chance(ctx.o.permissionFraction);
  if (!has) {
    return [];
  }
  const picked = PERMISSIONS.filter(() => r.chance(0.5));
  return picked.length > 0 ? picked : ["users.admin"];
}

/** Distinct role indices in ascending order (0-based into the file's roles). */
export function roleAssignmentPlan(
  ctx: GenContext,
  index: number,
  kind: UserKind,
  p: Privileges,
): readonly number[] {
  if (kind === "app" || ctx.o.roles === 0) {
    return [];
  }
  const r = reseed(rng, ctx, STREAM.roleAssignments, index);
  const has = isPrivileged(p) ? r.chance(0.6) : r.chance(ctx.o.roleAssignmentFraction);
  if (!has) {
    return [];
  }
  const first = r.int(ctx.o.roles);
  if (ctx.o.roles > 1 && r.chance(0.15)) {
    const second = (first + 1 + r.int(ctx.o.roles - 1)) % ctx.o.roles;
    return first < second ? [first, second] : [second, first];
  }
  return [first];
}

export interface UserOptionPlan {
  readonly key: string;
  readonly value: unknown;
  /** 0-based organization / project index, or null for a global option. */
  readonly organization: number | null;
  readonly project: number | null;
}

type ValueMaker = (r: Rng) => unknown;

/** Global user options and how their values look in Sentry. */
const GLOBAL_USER_OPTIONS: readonly (readonly [string, ValueMaker])[] = [
  ["timezone", (r) => r.pick(TIMEZONES)],
  ["language", (r) => r.pick(LANGUAGES)],
  ["theme", (r) => r.pick(THEMES)],
  ["clock_24_hours", (r) => r.chance(0.5)],
  ["stacktrace_order", (r) => r.pick([-1, 1, 2])],
  ["self_notifications", (r) => r.pick(["0", "1"])],
  ["self_assign_issue", (r) => r.pick(["0", "1"])],
  ["default_issue_event", (r) => r.pick(["recommended", "latest", "oldest"])],
];

/** Org- and project-level options: a Config import must skip every one of them. */
const SCOPED_USER_OPTIONS: readonly (readonly [string, "organization" | "project", ValueMaker])[] =
  [
    ["mail:alert", "project", (r) => r.pick([0, 1])],
    ["workflow:notifications", "project", (r) => r.pick(["0", "1", "2"])],
    ["deploy-emails", "organization", (r) => r.pick(["1", "2", "3"])],
    ["reports:disabled-organizations", "organization", () => []],
  ];

export function userOptionPlan(
  ctx: GenContext,
  index: number,
  kind: UserKind,
): readonly UserOptionPlan[] {
  if (kind === "app") {
    return [];
  }
  const r = reseed(rng, ctx, STREAM.userOptions, index);
  const out: UserOptionPlan[] = [];
  for (const [key, make] of GLOBAL_USER_OPTIONS) {
    if (r.chance(ctx.o.userOptionFraction)) {
      out.push({ key, value: make(r), organization: null, project: null });
    }
  }
  if (r.chance(ctx.o.scopedUserOptionFraction)) {
    const howMany = r.range(1, 2);
    const start = r.int(SCOPED_USER_OPTIONS.length);
    for (let k = 0; k < howMany; k++) {
      const entry = SCOPED_USER_OPTIONS[(start + k) % SCOPED_USER_OPTIONS.length];
      if (entry !== undefined) {
        const [key, scope, make] = entry;
        out.push({
          key,
          value: make(r),
          organization: scope === "organization" ? r.int(ctx.o.organizations) : null,
          project: scope === "project" ? r.int(ctx.projects) : null,
        });
      }
    }
  }
  return out;
}

export interface TokenPlan {
  /** 0-based application index: a Global-scope row that a Config import skips. */
  readonly application: number | null;
  /** 0-based organization index: an org-scoped token, also skipped. */
  readonly scopingOrganization: number | null;
  readonly name: string | null;
  readonly tokenType: string | null;
  readonly token: string;
  readonly refreshToken: string | null;
  readonly expiresAt: number | null;
  readonly dateAdded: number;
  readonly scopes: string;
  readonly scopeList: readonly string[];
}

export const isPersonalToken = (t: TokenPlan): boolean =>
  t.application === null && t.scopingOrganization === null;

/**
 * Personal tokens: newer ones `sntryu_`-prefixed without refresh token or expiry, older ones bare
 * hex with both. With `outOfScope`, also application and org-scoped tokens.
 */
export function tokenPlan(ctx: GenContext, index: number, kind: UserKind): readonly TokenPlan[] {
  if (kind === "app") {
    return [];
  }
  const r = reseed(rng, ctx, STREAM.tokens, index);
  if (!r.chance(ctx.o.tokenFraction)) {
    return [];
  }
  const joined = joinedAt(ctx, index);
  const out: TokenPlan[] = [];
  const personal = r.chance(0.7) ? 1 : r.range(2, 3);
  for (let k = 0; k < personal; k++) {
    const dateAdded = instant(r, joined, r.range(60, 3600 * 24 * 90));
    const modern = r.chance(0.7);
    out.push({
      application: null,
      scopingOrganization: null,
      name: modern && r.chance(0.6) ? r.pick(["CI", "deploys", "local dev", "Grafana"]) : null,
      tokenType: modern ? "sntryu_" : null,
      token: `${modern ? "sntryu_" : ""}${r.hex(64)}`,
      refreshToken: modern || r.chance(0.3) ? null : r.hex(64),
      expiresAt: modern || r.chance(0.3) ? null : dateAdded + 30 * 24 * 3600 * 1000,
      dateAdded,
      scopes: "0",
      scopeList: API_SCOPES.filter(() => r.chance(0.4)),
    });
  }
  if (ctx.o.outOfScope && r.chance(0.3)) {
    const dateAdded = instant(r, joined, r.range(60, 3600 * 24 * 30));
    const orgScoped = r.chance(0.3);
    out.push({
      application: orgScoped ? null : r.int(ctx.applications),
      scopingOrganization: orgScoped ? r.int(ctx.o.organizations) : null,
      name: null,
      tokenType: orgScoped ? "sntryu_" : "sntrya_",
      token: `${orgScoped ? "sntryu_" : "sntrya_"}${r.hex(64)}`,
      refreshToken: orgScoped ? null : r.hex(64),
      expiresAt: orgScoped ? null : dateAdded + 8 * 3600 * 1000,
      dateAdded,
      scopes: "0",
      scopeList: ["org:read", "project:read"],
    });
  }
  return out;
}

export interface AuthorizationPlan {
  readonly application: number | null;
  readonly organization: number | null;
  readonly dateAdded: number;
  readonly scopes: string;
  readonly scopeList: readonly string[];
}

export const isPersonalAuthorization = (a: AuthorizationPlan): boolean =>
  a.application === null && a.organization === null;

export function authorizationPlan(
  ctx: GenContext,
  index: number,
  kind: UserKind,
): readonly AuthorizationPlan[] {
  if (kind === "app") {
    return [];
  }
  const r = reseed(rng, ctx, STREAM.authorizations, index);
  if (!r.chance(ctx.o.authorizationFraction)) {
    return [];
  }
  const joined = joinedAt(ctx, index);
  const out: AuthorizationPlan[] = [
    {
      application: null,
      organization: null,
      dateAdded: instant(r, joined, r.range(60, 3600 * 24 * 60)),
      scopes: r.pick(["0", "0", "1", "10"]),
      scopeList: API_SCOPES.filter(() => r.chance(0.3)),
    },
  ];
  if (ctx.o.outOfScope && r.chance(0.5)) {
    out.push({
      application: r.int(ctx.applications),
      organization: r.chance(0.5) ? r.int(ctx.o.organizations) : null,
      dateAdded: instant(r, joined, r.range(60, 3600 * 24 * 60)),
      scopes: "0",
      scopeList: ["org:read"],
    });
  }
  return out;
}

/** 2FA authenticator types (1 recovery codes, 3 TOTP), unique per user. Only with outOfScope. */
export function authenticatorPlan(
  ctx: GenContext,
  index: number,
  kind: UserKind,
): readonly number[] {
  if (!ctx.o.outOfScope || kind === "app") {
    return [];
  }
  const r = reseed(rng, ctx, STREAM.authenticators, index);
  if (!r.chance(ctx.o.authenticatorFraction)) {
    return [];
  }
  return r.chance(0.5) ? [1, 3] : [3];
}
