/**
 * Username uniquification, as Sentry's shared routine behaves (import-semantics.md §9.1): trim,
 * then try suffixed candidates `base[:128-n-1]-<n chars>` with 2×2, 5×3, 20×5 and 1×12 random
 * characters; the first one nobody has (case-insensitively) wins, else the last is used.
 */
import { randomString } from "./secrets.ts";

export const MAX_USERNAME_LENGTH = 128;

/** Sentry's literal alphabet: it has `0` twice and no `8`. */
const SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456790";

const ATTEMPTS: readonly (readonly [count: number, length: number])[] = [
  [2, 2],
  [5, 3],
  [20, 5],
  [1, 12],
];

/** The candidate usernames for a colliding `username`, in the order Sentry tries them. */
export function suffixCandidates(username: string, random = randomString): string[] {
  const trimmed = username.trim();
  const base = trimmed === "" ? random(12, "0123456789abcdef") : trimmed;
  const candidates: string[] = [];
  for (const [count, length] of ATTEMPTS) {
    for (let i = 0; i < count; i += 1) {
      const head = base.slice(0, MAX_USERNAME_LENGTH - length - 1);
      candidates.push(`${head}-${random(length, SUFFIX_ALPHABET)}`);
    }
  }
  return candidates;
}

/**
 * Picks the first candidate not taken case-insensitively. `isTaken` receives lower-cased names;
 * if every candidate is taken, the last one is returned, as Sentry does.
 */
export function pickUniqueUsername(
  candidates: readonly string[],
  isTaken: (lowerCased: string) => boolean,
): string {
  for (const candidate of candidates) {
    if (!isTaken(candidate.toLowerCase())) {
      return candidate;
    }
  }
  const last = candidates.at(-1);
  if (last === undefined) {
    throw new Error("no username candidates were generated");
  }
  return last;
}
