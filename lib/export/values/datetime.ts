/**
 * Datetimes (import-semantics.md §8.1). Accepted: what Django's `parse_datetime` accepts, i.e.
 * `YYYY-MM-DD`, `T` or a space, `HH:MM[:SS[.fraction]]`, then `Z`, `±HH`, `±HHMM`, `±HH:MM` or
 * nothing (naive values are UTC: Sentry's `TIME_ZONE` is always UTC). Fractions beyond
 * microseconds are truncated, as Django does.
 *
 * Kept as a normalised UTC ISO string, `YYYY-MM-DDTHH:MM:SS.mmmZ`, with three more digits when
 * the value has sub-millisecond precision (`….123456Z`). That is what a `timestamptz` parameter
 * wants: Postgres parses it exactly (to the microsecond), where a JS `Date` would lose the last
 * three digits. Equal instants give equal strings, so `…00Z` and `…00.000Z` compare equal.
 */
import { describeValue, ValueError } from "./valueError.ts";

const PATTERN =
  /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d*)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Whether the fields name a real date and time (negative: a field that was not digits). */
function isValidDateTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): boolean {
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59
  );
}

/** Minutes east of UTC for `Z`, `+02`, `+0230`, `-02:30`. */
function offsetMinutes(tz: string | undefined): number {
  if (tz === undefined || tz === "Z") {
    return 0;
  }
  const sign = tz.startsWith("-") ? -1 : 1;
  const digits = tz.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) {
    throw new ValueError(`invalid UTC offset ${tz}`);
  }
  return sign * (hours * 60 + minutes);
}

/** The number written by `length` ASCII digits at `start`, or -1 if any is not a digit. */
function digitsAt(text: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i += 1) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) {
      return -1;
    }
    n = n * 10 + d;
  }
  return n;
}

/**
 * The common case without the general parser (datetimes were a fifth of the plan pass): UTC
 * with seconds and no, 3 or 6 fraction digits, `YYYY-MM-DDTHH:MM:SS[.fff[fff]]Z`, which is how
 * Sentry writes every datetime. Such a value needs no conversion, only range checks. Null
 * sends anything else, out-of-range values included, to the general parser, which explains
 * what is wrong.
 */
function canonicalUtc(raw: string): string | null {
  const length = raw.length;
  if (
    (length !== 20 && length !== 24 && length !== 27) ||
    raw[length - 1] !== "Z" ||
    raw[4] !== "-" ||
    raw[7] !== "-" ||
    raw[10] !== "T" ||
    raw[13] !== ":" ||
    raw[16] !== ":" ||
    (length > 20 && (raw[19] !== "." || digitsAt(raw, 20, length - 21) < 0))
  ) {
    return null;
  }
  const year = digitsAt(raw, 0, 4);
  const month = digitsAt(raw, 5, 2);
  const day = digitsAt(raw, 8, 2);
  const hour = digitsAt(raw, 11, 2);
  const minute = digitsAt(raw, 14, 2);
  const second = digitsAt(raw, 17, 2);
  if (!isValidDateTime(year, month, day, hour, minute, second)) {
    return null;
  }
  if (length === 20) {
    return `${raw.slice(0, 19)}.000Z`;
  }
  // six digits ending in 000 are whole milliseconds: written with three, as the parser does
  return length === 27 && raw.endsWith("000Z") ? `${raw.slice(0, 23)}Z` : raw;
}

/** Reads a datetime; see the module comment for what is accepted and returned. */
export function readDatetime(raw: unknown): string {
  if (typeof raw !== "string") {
    throw new ValueError(`expected a datetime string, got ${describeValue(raw)}`);
  }
  const canonical = canonicalUtc(raw);
  if (canonical !== null) {
    return canonical;
  }
  const m = PATTERN.exec(raw);
  if (m === null) {
    throw new ValueError(`not an ISO-8601 datetime: ${describeValue(raw)}`);
  }
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (!isValidDateTime(year, month, day, hour, minute, second)) {
    throw new ValueError(`datetime out of range: ${describeValue(raw)}`);
  }
  const micros = frac === undefined ? 0 : Number(frac.padEnd(6, "0"));
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Math.floor(micros / 1000));
  const instant = date.getTime() - offsetMinutes(tz) * 60_000;
  const utc = new Date(instant);
  const utcYear = utc.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) {
    throw new ValueError(`datetime out of range: ${describeValue(raw)}`);
  }
  const iso = utc.toISOString();
  const subMillis = micros % 1000;
  return subMillis === 0 ? iso : `${iso.slice(0, -1)}${String(subMillis).padStart(3, "0")}Z`;
}
