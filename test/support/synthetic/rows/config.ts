/**
 * Instance-wide rows: options, control options, relays, relay usages and user roles
 * (import-semantics.md §3.2). None has a foreign key.
 */
import { legacyRow, pkOf, reseed, rngFor, STREAM, type GenContext } from "../context.ts";
import {
  boolOrNull,
  datetime,
  datetimeOrNull,
  instant,
  optionValue,
  permissionsField,
  relayPublicKey,
  row,
  str,
  strOrNull,
  uuid4,
} from "../format.ts";
import { Rng } from "../prng.ts";
import { OPTION_UPDATERS, PERMISSIONS, RELAY_VERSIONS, ROLE_NAMES } from "../vocab.ts";

type Catalog = readonly (readonly [string, (r: Rng) => unknown])[];

/** What a fresh self-hosted instance stores (fresh-install.json), then made-up keys. */
const OPTION_CATALOG: Catalog = [
  ["sentry:install-id", (r) => r.hex(40)],
  ["sentry:latest_version", () => "23.6.1"],
  ["sentry:last_worker_ping", (r) => 1687902001 + r.int(1_000_000) / 1_000_000],
  ["sentry:last_worker_version", () => "23.7.0.dev0"],
  ["system.url-prefix", () => "https://sentry.example.com"],
  ["system.admin-email", () => "admin@example.com"],
  ["auth.allow-registration", () => false],
  ["beacon.anonymous", () => true],
];

const CONTROL_OPTION_CATALOG: Catalog = [
  ["mail.host", () => "smtp.example.com"],
  ["mail.port", () => 587],
  ["mail.use-tls", () => true],
  ["github-login.extended-permissions", () => ["repo"]],
  ["symbolicator.options", () => ({ url: "http://symbolicator:3021" })],
  ["auth.ip-rate-limit", () => 0],
];

/**
 * A value of every JSON kind, chosen by `kind`. Strings are never valid JSON text: Sentry reads
 * a string option that parses as JSON as the parsed value (`"123"` → 123), which would make the
 * two encodings of one value import differently.
 */
export function syntheticValue(kind: number, r: Rng): unknown {
  switch (kind % 13) {
    case 0:
      return `value-${r.hex(8)}`;
    case 1:
      return r.int(100_000);
    case 2:
      return -(r.int(1_000_000) + 1) / 64;
    case 3:
      return r.chance(0.5);
    case 4:
      return null;
    case 5:
      return ["*", r.int(10), false, null, { nested: `n-${r.hex(4)}` }];
    case 6:
      return { enabled: r.chance(0.5), limit: r.int(500), tags: ["a", "b"], inner: { x: 1.5 } };
    case 7:
      return "";
    case 8:
      return `Grüße, 世界 ${r.int(100)}`;
    case 9:
      return `say "hi"\\n\tthen\nleave`;
    case 10:
      return [];
    case 11:
      return {};
    default:
      return Number.MAX_SAFE_INTEGER - r.int(1000);
  }
}

function* optionRows(
  ctx: GenContext,
  model: "sentry.option" | "sentry.controloption",
  count: number,
  catalog: Catalog,
  stream: typeof STREAM.option | typeof STREAM.controlOption,
): Generator<string> {
  const r = new Rng();
  const prefix = model === "sentry.option" ? "synthetic.option" : "synthetic.control-option";
  for (let j = 0; j < count; j++) {
    reseed(r, ctx, stream, j);
    const entry = catalog[j];
    const key = entry === undefined ? `${prefix}.${j}` : entry[0];
    const value = entry === undefined ? syntheticValue(j, r) : entry[1](r);
    const updated = instant(r, ctx.epochMs, r.range(0, 3600 * 24 * 400));
    const by = r.chance(0.8) ? "unknown" : r.pick(OPTION_UPDATERS);
    const pk = pkOf(ctx, model, j);
    const legacy = legacyRow(ctx, model, pk);
    yield row(
      model,
      pk,
      `"key":${str(key)},"last_updated":${datetime(updated, legacy)},"last_updated_by":${str(by)},"value":${optionValue(value, legacy)}`,
    );
  }
}

export const controlOptionRows = (ctx: GenContext): Generator<string> =>
  optionRows(
    ctx,
    "sentry.controloption",
    ctx.o.controlOptions,
    CONTROL_OPTION_CATALOG,
    STREAM.controlOption,
  );

export const plainOptionRows = (ctx: GenContext): Generator<string> =>
  optionRows(ctx, "sentry.option", ctx.o.options, OPTION_CATALOG, STREAM.option);

interface RelayPlan {
  readonly relayId: string;
  readonly publicKey: string;
  readonly isInternal: boolean | null;
}

function relayPlan(ctx: GenContext, j: number): RelayPlan {
  const r = rngFor(ctx, STREAM.relay, j);
  return {
    relayId: uuid4(r),
    publicKey: relayPublicKey(r),
    isInternal: r.pick([true, true, false, null]),
  };
}

export function* relayRows(ctx: GenContext): Generator<string> {
  for (let j = 0; j < ctx.o.relays; j++) {
    const p = relayPlan(ctx, j);
    yield row(
      "sentry.relay",
      pkOf(ctx, "sentry.relay", j),
      `"relay_id":${str(p.relayId)},"public_key":${str(p.publicKey)},"first_seen":null,"last_seen":null,"is_internal":${boolOrNull(p.isInternal)}`,
    );
  }
}

/** Versions each relay reported; plus, sometimes, a relay that no longer exists (linked by value). */
export function relayUsagePlan(ctx: GenContext): readonly { relay: RelayPlan; versions: number }[] {
  const out: { relay: RelayPlan; versions: number }[] = [];
  if (ctx.o.relayVersions === 0) {
    return out;
  }
  const r = rngFor(ctx, STREAM.relayUsage, 0);
  for (let j = 0; j < ctx.o.relays; j++) {
    out.push({
      relay: relayPlan(ctx, j),
      versions: r.range(1, Math.min(ctx.o.relayVersions, RELAY_VERSIONS.length)),
    });
  }
  if (ctx.o.relays > 0 && r.chance(0.5)) {
    out.push({ relay: relayPlan(ctx, ctx.o.relays + 1000), versions: 1 });
  }
  return out;
}

export function* relayUsageRows(ctx: GenContext): Generator<string> {
  const r = rngFor(ctx, STREAM.relayUsage, 1);
  let pk = pkOf(ctx, "sentry.relayusage", 0);
  for (const { relay, versions } of relayUsagePlan(ctx)) {
    let seen = ctx.epochMs;
    for (let v = 0; v < versions; v++) {
      const first = instant(r, seen, r.range(3600, 3600 * 24 * 60));
      const last = instant(r, first, r.range(60, 3600 * 24 * 30));
      seen = last;
      const legacy = legacyRow(ctx, "sentry.relayusage", pk);
      yield row(
        "sentry.relayusage",
        pk++,
        `"relay_id":${str(relay.relayId)},"version":${str(RELAY_VERSIONS[v] ?? "0.0.1")},"first_seen":${datetime(first, legacy)},"last_seen":${datetime(last, legacy)},"public_key":${strOrNull(r.chance(0.9) ? relay.publicKey : null)}`,
      );
    }
  }
}

export function rolePlan(
  ctx: GenContext,
  j: number,
): { name: string; permissions: readonly string[] } {
  const r = rngFor(ctx, STREAM.role, j);
  const name = ROLE_NAMES[j] ?? `Role ${j + 1}`;
  // The first role is Sentry's own "Super Admin"; the others get any subset, even none.
  const permissions = j === 0 ? PERMISSIONS : PERMISSIONS.filter(() => r.chance(0.5));
  return { name, permissions };
}

export function* userRoleRows(ctx: GenContext): Generator<string> {
  for (let j = 0; j < ctx.o.roles; j++) {
    const r = rngFor(ctx, STREAM.role, 1_000_000 + j);
    const { name, permissions } = rolePlan(ctx, j);
    const added = instant(r, ctx.epochMs, r.range(0, 3600));
    const updated = instant(r, added, r.range(0, 3600 * 24 * 30));
    const pk = pkOf(ctx, "sentry.userrole", j);
    const legacy = legacyRow(ctx, "sentry.userrole", pk);
    yield row(
      "sentry.userrole",
      pk,
      `"date_updated":${datetime(updated, legacy)},"date_added":${datetimeOrNull(added, legacy)},"name":${str(name)},"permissions":${permissionsField(permissions, legacy)}`,
    );
  }
}
