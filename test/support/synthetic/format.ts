/**
 * Value encodings of an export (backup-format.md §9) and their legacy forms (§10).
 * Row builders only ever produce JSON text through these helpers.
 */
import type { Rng } from "./prng.ts";

/** A JSON string literal. */
export const str = (value: string): string => JSON.stringify(value);

export const bool = (value: boolean): string => (value ? "true" : "false");

export const boolOrNull = (value: boolean | null): string =>
  value === null ? "null" : value ? "true" : "false";

/** A JSON string literal, or `null`. */
export const strOrNull = (value: string | null): string =>
  value === null ? "null" : JSON.stringify(value);

/**
 * A datetime as Sentry writes it: `YYYY-MM-DDTHH:MM:SS.mmmZ`. Legacy exports (before 23.7.1)
 * dropped a zero fraction, so `legacy` writes `…:SSZ` when the milliseconds are 0; any other
 * instant keeps its fraction, so both modes describe the same instant.
 */
export function datetime(epochMs: number, legacy: boolean): string {
  const iso = isoMillis(epochMs);
  return legacy && epochMs % 1000 === 0 ? `"${iso.slice(0, 19)}Z"` : `"${iso}"`;
}

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, "0"));
const PAD3 = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));
/** Day number → `YYYY-MM-DDT`. Synthetic instants span a few years, so this stays small. */
const DATE_PREFIX = new Map<number, string>();

/**
 * `Date#toISOString` for non-negative instants, faster: the date part is cached per day and the
 * time assembled from lookup tables. Millions of calls per large export made the builtin the top
 * entry of the profile.
 */
export function isoMillis(epochMs: number): string {
  const day = Math.floor(epochMs / DAY_MS);
  let prefix = DATE_PREFIX.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    DATE_PREFIX.set(day, prefix);
  }
  let rest = epochMs - day * DAY_MS;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${prefix}${PAD2[hours] ?? ""}:${PAD2[minutes] ?? ""}:${PAD2[seconds] ?? ""}.${PAD3[millis] ?? ""}Z`;
}

export function datetimeOrNull(epochMs: number | null, legacy: boolean): string {
  return epochMs === null ? "null" : datetime(epochMs, legacy);
}

/**
 * An instant `seconds` after `baseMs`, with random milliseconds. A quarter land on a whole second,
 * which is what makes the legacy no-millis form appear.
 */
export function instant(rng: Rng, baseMs: number, seconds: number): number {
  const millis = rng.chance(0.25) ? 0 : rng.range(1, 999);
  return Math.floor(baseMs / 1000) * 1000 + Math.floor(seconds) * 1000 + millis;
}

/**
 * An option value (`sentry.option`, `sentry.controloption`): native JSON now, JSON text inside a
 * JSON string in legacy exports (`"\"23.6.1\""`).
 */
export function optionValue(value: unknown, legacy: boolean): string {
  const json = JSON.stringify(value);
  return legacy ? JSON.stringify(json) : json;
}

/**
 * A `sentry.useroption` value. Legacy double-encoding is only applied to strings: the importer
 * decodes a JSON string literal once, but keeps `"true"` or `"10"` as strings (import-semantics.md
 * §8.3), so double-encoding a boolean would change the data rather than its encoding.
 */
export function userOptionValue(value: unknown, legacy: boolean): string {
  return legacy && typeof value === "string"
    ? JSON.stringify(JSON.stringify(value))
    : JSON.stringify(value);
}

/** A Python list literal, as `str(list)` prints a list of plain strings. */
export function pythonList(items: readonly string[]): string {
  return `[${items.map((item) => `'${item}'`).join(", ")}]`;
}

/** `sentry.userrole.permissions`: a JSON array now, a Python-literal string in legacy exports. */
export function permissionsField(items: readonly string[], legacy: boolean): string {
  return legacy ? str(pythonList(items)) : JSON.stringify(items);
}

/** `scope_list`: a JSON array now, JSON text inside a string in legacy exports (`"[]"`). */
export function scopeListField(items: readonly string[], legacy: boolean): string {
  const json = JSON.stringify(items);
  return legacy ? JSON.stringify(json) : json;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64 = `${ALNUM}+/`;
const BASE64URL = `${ALNUM}-_`;

export const alnum = (rng: Rng, count: number): string => rng.chars(ALNUM, count);

/**
 * A Django password string. It only needs the right shape: a Config import always replaces it
 * (import-semantics.md §1 e), so no PBKDF2 is computed.
 */
export function djangoPassword(rng: Rng): string {
  const roll = rng.next();
  if (roll < 0.05) {
    return `!${alnum(rng, 40)}`; // unusable password (SSO-only accounts)
  }
  const iterations = rng.pick([150000, 260000, 600000, 720000, 1000000]);
  const salt = alnum(rng, iterations === 150000 ? 12 : 22); // Django < 3.2 used 12 characters
  return `pbkdf2_sha256$${iterations}$${salt}$${rng.chars(BASE64, 43)}=`;
}

/** A relay public key: 32 bytes as unpadded base64url (43 characters). */
export const relayPublicKey = (rng: Rng): string => rng.chars(BASE64URL, 43);

/** A random version-4 UUID. */
export function uuid4(rng: Rng): string {
  const hex = rng.hex(32);
  const variant = "89ab".charAt(rng.int(4));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** One export row: `{"model":…,"pk":…,"fields":{…}}` with `fields` already JSON text. */
export const row = (model: string, pk: number, fields: string): string =>
  `{"model":"${model}","pk":${pk},"fields":{${fields}}}`;
