import type { LoopbackServer } from "./loopback.ts";
import type { RetryConfig } from "./tasksRetry.ts";

/** The Cloud Tasks stand-in's public types: options, controls and what it records. */

export interface ChaosOptions {
  readonly seed: number | string;
  /** probability that an attempt is delivered twice; the second answer is ignored */
  readonly duplicateRate?: number;
  /** probability that the target's answer is lost after it ran: the attempt counts as a timeout */
  readonly dropResponseRate?: number;
  /** each delivery first waits a random 0…maxJitterMs real milliseconds, so deliveries reorder */
  readonly maxJitterMs?: number;
}

export interface QueueConfig {
  readonly retryConfig?: Partial<RetryConfig>;
  /** Cloud Tasks' `max_concurrent_dispatches` (default 1000) */
  readonly maxConcurrentDispatches?: number;
}

export interface TasksStandinOptions {
  /** multiplies every wait: schedule delays and backoff (default 1; 0 = at once) */
  readonly timeScale?: number;
  /** multiplies dispatch deadlines (default 1) */
  readonly deadlineScale?: number;
  /** how long a finished or deleted task's name stays reserved (default one hour) */
  readonly tombstoneMs?: number;
  /** the clock for create and schedule times, ETAs and tombstones (default `Date.now`) */
  readonly now?: () => number;
  /** every queue's config unless `configureQueue` says otherwise */
  readonly queueConfig?: QueueConfig;
  readonly chaos?: ChaosOptions;
  /** start with dispatching paused (see `resume`) */
  readonly paused?: boolean;
}

export interface DeliveryRecord {
  /** arrival order of the deliveries, from 1 */
  readonly seq: number;
  readonly queue: string;
  readonly taskName: string;
  readonly taskId: string;
  /** 1-based dispatch number; a duplicate repeats its attempt's number */
  readonly attempt: number;
  readonly duplicate: boolean;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** the target's status; undefined while in flight or when it did not answer */
  readonly status: number | undefined;
  readonly responseBody: string | undefined;
  readonly timedOut: boolean;
  readonly error: string | undefined;
  /** the answer was discarded (chaos, `dropNextResponses` or an `onResponse` hook) */
  readonly dropped: boolean;
  readonly done: boolean;
}

export type TaskState = "queued" | "dispatching" | "succeeded" | "gaveUp" | "deleted";

export interface TaskSnapshot {
  readonly name: string;
  readonly id: string;
  readonly queue: string;
  readonly state: TaskState;
  readonly dispatchCount: number;
  readonly responseCount: number;
  /** responses below 500 */
  readonly executionCount: number;
  /** the Cloud Tasks backoff chosen after each failed attempt, in (unscaled) seconds */
  readonly backoffSeconds: readonly number[];
  readonly body: Buffer;
}

export interface TasksCounters {
  created: number;
  alreadyExists: number;
  invalid: number;
  /** dispatches (duplicates not included) */
  attempts: number;
  duplicates: number;
  succeeded: number;
  failedAttempts: number;
  /** attempts without an answer: deadline passed, connection failed, or answer dropped */
  unanswered: number;
  droppedResponses: number;
  gaveUp: number;
  deletedByApi: number;
}

export interface TasksApiFailure {
  readonly httpStatus: number;
  readonly status: string;
  readonly message?: string;
}

/** Return "drop" to discard the target's answer: the attempt then fails as a timeout would. */
export type ResponseHook = (delivery: DeliveryRecord) => "drop" | "keep" | undefined;

export interface TasksStandin {
  readonly server: LoopbackServer;
  readonly endpoint: { readonly host: string; readonly port: number };
  readonly counters: Readonly<TasksCounters>;
  /** every delivery so far, in start order */
  readonly deliveries: readonly DeliveryRecord[];
  /** every task created so far (finished ones too), in creation order */
  tasks(): TaskSnapshot[];
  /** Sets one queue's config (full name `projects/…/queues/…`); applies from the next attempt. */
  configureQueue(queue: string, config: QueueConfig): void;
  /**
   * Resolves once no task is queued and no delivery is in flight: never while dispatching is
   * paused with tasks queued, or while a task waits for a far schedule time at `timeScale` 1.
   */
  waitUntilIdle(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Changes or (undefined) turns off chaos from now on. */
  setChaos(chaos: ChaosOptions | undefined): void;
  /** The next `count` attempts (of task `taskId`, or any) are delivered twice. */
  duplicateNextDeliveries(count: number, taskId?: string): void;
  /** The next `count` answers (of task `taskId`, or any) are discarded after the target ran. */
  dropNextResponses(count: number, taskId?: string): void;
  onResponse(hook: ResponseHook): () => void;
  /** Called whenever a delivery finishes (duplicates included). */
  onDelivery(listener: (delivery: DeliveryRecord) => void): () => void;
  /** The next `count` API calls fail with this error, before any side effect. */
  failNext(count: number, failure: TasksApiFailure): void;
  /** The next `count` CreateTask calls store the task, then answer 503 UNAVAILABLE. */
  loseNextCreateResponses(count: number): void;
  /** Forgets reserved names, as if the de-duplication window had passed. */
  expireTombstones(): void;
  /** Clears controls, counters, deliveries and the request log; tasks and tombstones stay. */
  reset(): void;
  close(): Promise<void>;
}
