/**
 * Cloud Tasks' queue retry semantics (gcp-platform.md §6.7, §8.2), as pure functions so the
 * stand-in and its tests agree on one formula.
 */

/** A queue's `retry_config`, durations in seconds. */
export interface RetryConfig {
  /** counts the first attempt; -1 = unlimited */
  readonly maxAttempts: number;
  readonly minBackoffSeconds: number;
  readonly maxBackoffSeconds: number;
  readonly maxDoublings: number;
  /** 0 = no time limit */
  readonly maxRetryDurationSeconds: number;
}

/** Cloud Tasks' defaults for a queue whose retry_config leaves fields unset. */
export const DEFAULT_RETRY_CONFIG: RetryConfig = {
  maxAttempts: 100,
  minBackoffSeconds: 0.1,
  maxBackoffSeconds: 3600,
  maxDoublings: 16,
  maxRetryDurationSeconds: 0,
};

/**
 * The wait after the `n`-th failed attempt (n ≥ 1): `min_backoff` doubled `max_doublings` times,
 * then growing linearly by `2^max_doublings × min_backoff`, capped at `max_backoff`. With
 * 10 s / 300 s / 3 doublings: 10, 20, 40, 80, 160, 240, 300, 300 …
 */
export function backoffSeconds(config: RetryConfig, n: number): number {
  const doublings = Math.min(n - 1, config.maxDoublings);
  const linearSteps = Math.max(0, n - 1 - config.maxDoublings);
  const factor = 2 ** doublings + linearSteps * 2 ** config.maxDoublings;
  return Math.min(config.maxBackoffSeconds, config.minBackoffSeconds * factor);
}

/**
 * Whether a task that has failed `attempts` times, `retryingForSeconds` after its first attempt,
 * is dropped. Cloud Tasks stops only once both limits are used up; an unlimited one (-1
 * attempts, 0 s duration) does not hold the other back unless both are unlimited.
 */
export function retriesExhausted(
  config: RetryConfig,
  attempts: number,
  retryingForSeconds: number,
): boolean {
  const attemptsLimited = config.maxAttempts !== -1;
  const durationLimited = config.maxRetryDurationSeconds > 0;
  const attemptsUsed = attemptsLimited && attempts >= config.maxAttempts;
  const durationUsed = durationLimited && retryingForSeconds >= config.maxRetryDurationSeconds;
  if (attemptsLimited && durationLimited) {
    return attemptsUsed && durationUsed;
  }
  return attemptsUsed || durationUsed;
}

/** A protobuf JSON Duration (`"900s"`, `"0.5s"`) in seconds; undefined when malformed. */
export function parseDurationSeconds(value: string): number | undefined {
  const match = /^(\d+(?:\.\d{1,9})?)s$/.exec(value);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
