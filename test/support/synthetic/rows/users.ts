/**
 * `sentry.user`, `sentry.email` and `sentry.useremail` rows (import-semantics.md §3.2).
 */
import { legacyRow, pkOf, reseed, STREAM, type GenContext } from "../context.ts";
import {
  alnum,
  bool,
  datetime,
  datetimeOrNull,
  djangoPassword,
  instant,
  row,
  str,
  strOrNull,
} from "../format.ts";
import { emailPlan, identity, joinedAt, privileges, type EmailKey } from "../people.ts";
import { Rng } from "../prng.ts";

export function* userRows(ctx: GenContext): Generator<string> {
  const r = new Rng();
  for (let i = 0; i < ctx.o.users; i++) {
    const pk = pkOf(ctx, "sentry.user", i);
    const legacy = legacyRow(ctx, "sentry.user", pk);
    const who = identity(ctx, i);
    const p = privileges(ctx, i, who.kind);
    const { primary } = emailPlan(ctx, i, who);
    reseed(r, ctx, STREAM.userRow, i);
    const app = who.kind === "app";
    const joined = instant(r, joinedAt(ctx, i), 0);
    const password = app && r.chance(0.5) ? "" : djangoPassword(r);
    const lastLogin = r.chance(0.3) ? null : instant(r, joined, r.range(60, 3600 * 24 * 365));
    const lastActive = instant(r, joined, r.range(0, 3600 * 24 * 365));
    const passwordChanged = app ? null : instant(r, joined, r.range(1, 3600));
    const flags = r.chance(0.1) ? "1" : "0";
    const nonce = r.chance(0.1) ? alnum(r, 12) : null;
    const avatarType = r.pick([0, 0, 0, 1, 2]);
    const avatarUrl = avatarType === 1 ? `https://avatars.example.com/${r.hex(32)}` : null;
    const expired = r.chance(0.01);
    // Legacy (23.x) exports carry the removed `is_suspended` and have no `is_unclaimed`; only a
    // false one is dropped, so a legacy row still describes the same user.
    const claimFields = legacy
      ? `"is_suspended":false${app ? ',"is_unclaimed":true' : ""}`
      : `"is_unclaimed":${bool(app)}`;
    yield row(
      "sentry.user",
      pk,
      `"password":${str(password)},"last_login":${datetimeOrNull(lastLogin, legacy)},"username":${str(who.username)},"name":${str(who.name)},"email":${str(primary)},"is_staff":${bool(p.staff)},"is_active":${bool(p.active)},"is_superuser":${bool(p.superuser)},"is_managed":${bool(p.managed)},"is_sentry_app":${app ? "true" : "null"},"is_password_expired":${bool(expired)},${claimFields},"last_password_change":${datetimeOrNull(passwordChanged, legacy)},"flags":"${flags}","session_nonce":${strOrNull(nonce)},"date_joined":${datetime(joined, legacy)},"last_active":${datetime(lastActive, legacy)},"avatar_type":${avatarType},"avatar_url":${strOrNull(avatarUrl)}`,
    );
  }
}

/**
 * Tracks which addresses were seen, case-insensitively, in file order. Pool addresses need one
 * byte each; unique ones need nothing, which keeps a million-user pass flat in memory.
 */
export class AddressSeen {
  readonly #pool: Uint8Array;
  #empty = false;

  constructor(poolSize: number) {
    this.#pool = new Uint8Array(poolSize);
  }

  /** True the first time an address with this key appears. */
  firstTime(key: EmailKey): boolean {
    switch (key.kind) {
      case "unique":
        return true;
      case "samePrimary":
        return false;
      case "empty": {
        const first = !this.#empty;
        this.#empty = true;
        return first;
      }
      case "pool": {
        const first = this.#pool[key.index] === 0;
        this.#pool[key.index] = 1;
        return first;
      }
    }
  }
}

/** One `sentry.email` per distinct address, spelled as it first appears (Sentry's citext row). */
export function* emailRows(ctx: GenContext): Generator<string> {
  if (!ctx.emailRows) {
    return;
  }
  const r = new Rng();
  const seen = new AddressSeen(ctx.poolSize);
  let pk = pkOf(ctx, "sentry.email", 0);
  for (let i = 0; i < ctx.o.users; i++) {
    const mail = emailPlan(ctx, i, identity(ctx, i));
    reseed(r, ctx, STREAM.emailRow, i);
    const added = instant(r, joinedAt(ctx, i), -1);
    if (seen.firstTime(mail.primaryKey)) {
      yield emailRow(ctx, pk++, mail.primary, added);
    }
    if (
      mail.secondary !== null &&
      mail.secondaryKey !== null &&
      seen.firstTime(mail.secondaryKey)
    ) {
      const later = instant(r, added, r.range(60, 3600 * 24 * 90));
      yield emailRow(ctx, pk++, mail.secondary, later);
    }
  }
}

function emailRow(ctx: GenContext, pk: number, email: string, at: number): string {
  const legacy = legacyRow(ctx, "sentry.email", pk);
  return row("sentry.email", pk, `"email":${str(email)},"date_added":${datetime(at, legacy)}`);
}

function userEmailRow(
  ctx: GenContext,
  r: Rng,
  pk: number,
  userPk: number,
  email: string,
  at: number,
): string {
  const legacy = legacyRow(ctx, "sentry.useremail", pk);
  return row(
    "sentry.useremail",
    pk,
    `"user":${userPk},"email":${str(email)},"validation_hash":"${alnum(r, 32)}","date_hash_added":${datetime(at, legacy)},"is_verified":${bool(r.chance(0.6))}`,
  );
}

/** The primary address of every user, then sometimes a secondary one (import-semantics.md §9.3). */
export function* userEmailRows(ctx: GenContext): Generator<string> {
  const r = new Rng();
  let pk = pkOf(ctx, "sentry.useremail", 0);
  for (let i = 0; i < ctx.o.users; i++) {
    const mail = emailPlan(ctx, i, identity(ctx, i));
    const userPk = pkOf(ctx, "sentry.user", i);
    reseed(r, ctx, STREAM.userEmailRow, i);
    const at = instant(r, joinedAt(ctx, i), 1);
    yield userEmailRow(ctx, r, pk++, userPk, mail.primary, at);
    if (mail.secondary !== null) {
      const later = instant(r, at, r.range(60, 3600 * 24 * 90));
      yield userEmailRow(ctx, r, pk++, userPk, mail.secondary, later);
    }
  }
  if (ctx.o.danglingReferences) {
    // A user pk that no row has: the importer must skip this row silently.
    const ghost = pkOf(ctx, "sentry.user", ctx.o.users);
    yield userEmailRow(ctx, r, pk, ghost, "ghost@example.com", ctx.epochMs);
  }
}
