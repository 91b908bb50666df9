/**
 * Per-user plans. Each is a pure function of (context, user index) drawn from its own stream, so
 * the user, email, permission, option and token passes agree without storing anything per user.
 */
import { reseed, STREAM, type GenContext } from "./context.ts";
import { uuid4 } from "./format.ts";
import { Rng, streamSeed } from "./prng.ts";
import { asciiSlug, DOMAINS, FIRST_NAMES, LAST_NAMES } from "./vocab.ts";

export type UserKind = "admin" | "person" | "app" | "edgeLong" | "edgeEscapes";

export interface Identity {
  readonly kind: UserKind;
  readonly first: string;
  readonly last: string;
  /** ASCII forms of the names, for addresses and handles. */
  readonly firstSlug: string;
  readonly lastSlug: string;
  /** `sentry.user.name` (column `first_name`). */
  readonly name: string;
  readonly username: string;
}

/** How an address dedupes case-insensitively: a pool index, the empty address, or unique. */
export type EmailKey =
  | { readonly kind: "pool"; readonly index: number }
  | { readonly kind: "empty" }
  | { readonly kind: "unique" }
  | { readonly kind: "samePrimary" };

export interface EmailPlan {
  readonly primary: string;
  readonly primaryKey: EmailKey;
  /** A second `sentry.useremail` address, never exactly equal to the primary. */
  readonly secondary: string | null;
  readonly secondaryKey: EmailKey | null;
}

export interface Privileges {
  readonly staff: boolean;
  readonly superuser: boolean;
  readonly managed: boolean;
  readonly active: boolean;
}

const identityRng = new Rng();
const emailRng = new Rng();
const privilegeRng = new Rng();
const shareRng = new Rng();

const FIRST_SLUGS = FIRST_NAMES.map(asciiSlug);
const LAST_SLUGS = LAST_NAMES.map(asciiSlug);

const APP_SLUGS = ["test_app", "acme-ci", "deploy-bot", "jira-sync"] as const;

export function userKind(ctx: GenContext, index: number): UserKind {
  if (index === 0) {
    return "admin";
  }
  if (ctx.o.edgeCases && index === 1) {
    return "edgeLong";
  }
  if (ctx.o.edgeCases && index === 2) {
    return "edgeEscapes";
  }
  if (ctx.o.edgeCases && index === 3) {
    return "app"; // at least one Sentry-app proxy user (empty address) in any export
  }
  // A dedicated draw, so adding identity fields never turns a person into an app.
  const rng = reseed(identityRng, ctx, STREAM.identity, index);
  return rng.chance(ctx.o.sentryAppFraction) ? "app" : "person";
}

export function identity(ctx: GenContext, index: number): Identity {
  const kind = userKind(ctx, index);
  const rng = reseed(identityRng, ctx, STREAM.identity, index);
  rng.next(); // the draw userKind() used
  const firstIndex = rng.int(FIRST_NAMES.length);
  const lastIndex = rng.int(LAST_NAMES.length);
  const names = {
    first: FIRST_NAMES[firstIndex] ?? "",
    last: LAST_NAMES[lastIndex] ?? "",
    firstSlug: FIRST_SLUGS[firstIndex] ?? "",
    lastSlug: LAST_SLUGS[lastIndex] ?? "",
  };
  const { first, last, firstSlug, lastSlug } = names;
  const tag = index.toString(36);
  switch (kind) {
    case "admin":
      return { kind, ...names, name: "", username: adminAddress(ctx) };
    case "app":
      return {
        kind,
        ...names,
        name: "",
        username: `${rng.pick(APP_SLUGS)}-${uuid4(rng)}`,
      };
    case "edgeLong":
      return {
        kind,
        ...names,
        name: "Zoë Łukasz Müller-Søren ".repeat(9).slice(0, 200),
        username: `edge.${tag}.`.padEnd(128, "x"),
      };
    case "edgeEscapes":
      return {
        kind,
        ...names,
        name: `Edge "Quotes" \\ Back\\slash\ttab 🚀 ${first}`,
        username: `edge.escapes.${tag}`,
      };
    case "person": {
      const name = rng.chance(0.15) ? "" : `${first} ${last}`;
      // Half sign up with their address as username; a shared address cannot be one.
      const handle =
        sharesAddress(ctx, index) || rng.chance(0.5)
          ? `${capitalizeMaybe(rng, firstSlug)}.${lastSlug}${tag}`
          : null;
      return { kind, ...names, name, username: handle ?? personAddress(names, index) };
    }
  }
}

/**
 * The user's addresses. Shared addresses come from a pool (`ops.17@example.org`), sometimes
 * spelled with other letter case; everything else contains the user index and so is unique.
 */
export function emailPlan(ctx: GenContext, index: number, who: Identity): EmailPlan {
  if (who.kind === "app") {
    return { primary: "", primaryKey: { kind: "empty" }, secondary: null, secondaryKey: null };
  }
  const rng = reseed(emailRng, ctx, STREAM.email, index);
  let primary: string;
  let primaryKey: EmailKey;
  const shared = who.kind === "person" && sharesAddress(ctx, index);
  if (who.kind === "admin") {
    primary = adminAddress(ctx);
    primaryKey = { kind: "unique" };
  } else if (shared) {
    const pool = rng.int(ctx.poolSize);
    primary = poolAddress(pool);
    if (rng.chance(ctx.o.caseVariantFraction)) {
      primary = caseVariant(primary, rng.int(2));
    }
    primaryKey = { kind: "pool", index: pool };
  } else {
    primary = personAddress(who, index);
    primaryKey = { kind: "unique" };
  }

  if (!rng.chance(ctx.o.secondaryEmailFraction)) {
    return { primary, primaryKey, secondary: null, secondaryKey: null };
  }
  const roll = rng.next();
  if (roll < 0.25) {
    // Same address, other case: a second UserEmail, but no second Email (citext).
    return {
      primary,
      primaryKey,
      secondary: caseVariant(primary, 1 + rng.int(2)),
      secondaryKey: { kind: "samePrimary" },
    };
  }
  if (roll < 0.5) {
    const pool = rng.int(ctx.poolSize);
    if (!(primaryKey.kind === "pool" && primaryKey.index === pool)) {
      return {
        primary,
        primaryKey,
        secondary: poolAddress(pool),
        secondaryKey: { kind: "pool", index: pool },
      };
    }
  }
  const at = primary.indexOf("@");
  const secondary = `${primary.slice(0, at).toLowerCase()}+alt.${index.toString(36)}@${rng.pick(DOMAINS)}`;
  return { primary, primaryKey, secondary, secondaryKey: { kind: "unique" } };
}

export function privileges(ctx: GenContext, index: number, kind: UserKind): Privileges {
  if (kind === "admin") {
    return { staff: true, superuser: true, managed: false, active: true };
  }
  const rng = reseed(privilegeRng, ctx, STREAM.privileges, index);
  const superuser = rng.chance(ctx.o.superuserFraction);
  const staff = rng.chance(ctx.o.staffFraction) || (superuser && rng.chance(0.8));
  const managed = rng.chance(ctx.o.managedFraction);
  const active = !rng.chance(ctx.o.inactiveFraction);
  if (kind === "app") {
    return { staff: false, superuser: false, managed: false, active: true };
  }
  return { staff, superuser, managed, active };
}

export const isPrivileged = (p: Privileges): boolean => p.staff || p.superuser;

/**
 * About when user `index` joined: ascending with the pk, two years in all, jittered within the
 * user's own step so every pass agrees without sharing state.
 */
export function joinedAt(ctx: GenContext, index: number): number {
  const jitter = streamSeed(ctx.root, STREAM.joined, index) % ctx.joinStepMs;
  return ctx.epochMs + index * ctx.joinStepMs + jitter;
}

function adminAddress(ctx: GenContext): string {
  return `admin@${DOMAINS[ctx.root % DOMAINS.length] ?? "example.com"}`;
}

function personAddress(names: { firstSlug: string; lastSlug: string }, index: number): string {
  return `${names.firstSlug}.${names.lastSlug}.${index.toString(36)}@${DOMAINS[index % DOMAINS.length] ?? "example.com"}`;
}

const POOL_BOXES = ["ops", "support", "team", "dev", "billing", "oncall"] as const;

function poolAddress(pool: number): string {
  const box = POOL_BOXES[pool % POOL_BOXES.length] ?? "team";
  return `${box}.${pool.toString(36)}@${DOMAINS[pool % DOMAINS.length] ?? "example.com"}`;
}

/**
 * A spelling that differs from `address` but is equal case-insensitively. `style` picks the
 * preferred form; the others are fallbacks for an address that already has that spelling.
 */
function caseVariant(address: string, style: number): string {
  const at = address.indexOf("@");
  const forms = [
    address.toUpperCase(),
    address.charAt(0).toUpperCase() + address.slice(1),
    address.slice(0, at).toLowerCase() + address.slice(at).toUpperCase(),
    address.toLowerCase(),
  ];
  for (let k = 0; k < forms.length; k++) {
    const form = forms[(style + k) % forms.length];
    if (form !== undefined && form !== address) {
      return form;
    }
  }
  throw new Error(`no case variant of ${address}`);
}

/** Whether a person's primary address comes from the shared pool (its own stream). */
function sharesAddress(ctx: GenContext, index: number): boolean {
  return reseed(shareRng, ctx, STREAM.shared, index).chance(ctx.o.sharedEmailFraction);
}

function capitalizeMaybe(rng: Rng, text: string): string {
  return rng.chance(0.3) ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}
