import { randomInt } from "node:crypto";
import { z } from "zod";
import { seededChance } from "./chaos.ts";
import type { Chance } from "./chaos.ts";
import { googleErrorResponse, jsonResponse, startLoopbackServer } from "./loopback.ts";
import type { LoggedRequest, LoopbackServer, StandinResponse } from "./loopback.ts";
import {
  HTTP_METHODS,
  cloudTasksHeaders,
  fakeOidcToken,
  isReservedHeader,
  retryAfterSeconds,
  sendRequest,
} from "./tasksDelivery.ts";
import type { DeliveryResult } from "./tasksDelivery.ts";
import {
  DEFAULT_RETRY_CONFIG,
  backoffSeconds,
  parseDurationSeconds,
  retriesExhausted,
} from "./tasksRetry.ts";
import type { RetryConfig } from "./tasksRetry.ts";

export type { RetryConfig } from "./tasksRetry.ts";
export { DEFAULT_RETRY_CONFIG, backoffSeconds } from "./tasksRetry.ts";

/**
 * An in-memory Cloud Tasks v2 with Cloud Tasks' delivery semantics (gcp-platform.md §6, §8.2),
 * serving what `@google-cloud/tasks` 7 sends in REST-fallback mode:
 *
 *   POST   /v2/{queue}/tasks?$alt=json%3Benum-encoding=int   {task, responseView}
 *   GET    /v2/{queue}/tasks                                 ListTasks
 *   GET    /v2/{queue}/tasks/{id}                            GetTask
 *   DELETE /v2/{queue}/tasks/{id}                            DeleteTask
 *   POST   /v2/{queue}/tasks/{id}:run                        RunTask
 *
 * Queues exist implicitly. A task is dispatched at its schedule time to its URL with the
 * `X-CloudTasks-*` headers; a 2xx deletes it, anything else (or no answer within the dispatch
 * deadline) is retried under the queue's retry config. A finished task's name stays reserved
 * (ALREADY_EXISTS) for `tombstoneMs`. Waits are multiplied by `timeScale`, so tests can run a
 * 10-attempt backoff in milliseconds while the recorded backoffs keep Cloud Tasks' values.
 */

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
  timeouts: number;
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
  /** Resolves once no task is queued and no delivery is in flight. */
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

const QUEUE = "projects/[^/]+/locations/[^/]+/queues/[^/]+";
const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;
const QUEUE_ID = /^[A-Za-z0-9-]{1,100}$/;
const MAX_TASK_BYTES = 100 * 1024;
const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 3600 * 1000;

const timestamp = z.union([
  z.iso.datetime({ offset: true }),
  z.looseObject({
    seconds: z.union([z.string().regex(/^-?\d+$/), z.number()]),
    nanos: z.number().optional(),
  }),
]);

const createTaskRequest = z.looseObject({
  task: z.looseObject({
    name: z.string().optional(),
    httpRequest: z.looseObject({
      url: z.url({ protocol: /^https?$/ }),
      httpMethod: z.union([z.int().min(0).max(7), z.enum(HTTP_METHODS)]).optional(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.base64().optional(),
      oidcToken: z
        .looseObject({ serviceAccountEmail: z.string().min(1), audience: z.string().optional() })
        .optional(),
      oauthToken: z
        .looseObject({ serviceAccountEmail: z.string().min(1), scope: z.string().optional() })
        .optional(),
    }),
    scheduleTime: timestamp.optional(),
    dispatchDeadline: z.string().optional(),
  }),
  responseView: z.union([z.int(), z.string()]).optional(),
});
type HttpRequestSpec = z.infer<typeof createTaskRequest>["task"]["httpRequest"];

interface Attempt {
  scheduleMs: number;
  dispatchMs: number;
  responseMs?: number;
  status?: number;
}

interface TaskEntry {
  readonly name: string;
  readonly id: string;
  readonly queue: string;
  readonly queueId: string;
  readonly httpRequest: HttpRequestSpec;
  readonly method: string;
  readonly body: Buffer;
  readonly createMs: number;
  readonly deadlineSeconds: number;
  scheduleMs: number;
  state: TaskState;
  dispatchCount: number;
  responseCount: number;
  executionCount: number;
  previousResponse: number | undefined;
  retryReason: string | undefined;
  /** seconds of backoff so far: Cloud Tasks' "time since first attempt", without scaling */
  retryingForSeconds: number;
  readonly backoffSeconds: number[];
  firstAttempt: Attempt | undefined;
  lastAttempt: Attempt | undefined;
  timer: NodeJS.Timeout | undefined;
  /** waiting in its queue's ready list for a dispatch slot */
  ready: boolean;
}

interface QueueState {
  active: number;
  readonly ready: TaskEntry[];
}

interface Targeted {
  remaining: number;
  readonly taskId: string | undefined;
}

interface Controls {
  duplicate: Targeted[];
  drop: Targeted[];
  failures: TasksApiFailure[];
  loseCreates: number;
}

export async function startTasksStandin(options: TasksStandinOptions = {}): Promise<TasksStandin> {
  const now = options.now ?? Date.now;
  const timeScale = options.timeScale ?? 1;
  const deadlineScale = options.deadlineScale ?? 1;
  const tombstoneMs = options.tombstoneMs ?? 3_600_000;
  const defaultQueueConfig = options.queueConfig ?? {};

  const history: TaskEntry[] = [];
  const live = new Map<string, TaskEntry>();
  const tombstones = new Map<string, number>();
  const queueConfigs = new Map<string, QueueConfig>();
  const queues = new Map<string, QueueState>();
  const deliveries: MutableDelivery[] = [];
  const counters = freshCounters();
  const responseHooks = new Set<ResponseHook>();
  const deliveryListeners = new Set<(delivery: DeliveryRecord) => void>();
  const timers = new Set<NodeJS.Timeout>();
  const abort = new AbortController();
  let controls = freshControls();
  let chaos = options.chaos;
  let chance: Chance | undefined = chaos === undefined ? undefined : seededChance(chaos.seed);
  let paused = options.paused ?? false;
  let inFlight = 0;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  const checkIdle = (): void => {
    if ((live.size === 0 && inFlight === 0) || closed) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) {
        wake();
      }
    }
  };

  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  };

  const retryConfigOf = (queue: string): RetryConfig => ({
    ...DEFAULT_RETRY_CONFIG,
    ...defaultQueueConfig.retryConfig,
    ...queueConfigs.get(queue)?.retryConfig,
  });

  const maxConcurrentOf = (queue: string): number =>
    queueConfigs.get(queue)?.maxConcurrentDispatches ??
    defaultQueueConfig.maxConcurrentDispatches ??
    1000;

  const queueState = (queue: string): QueueState => {
    let state = queues.get(queue);
    if (state === undefined) {
      state = { active: 0, ready: [] };
      queues.set(queue, state);
    }
    return state;
  };

  /** Arms the task's timer for its schedule time (scaled). */
  const schedule = (task: TaskEntry): void => {
    if (paused || closed || task.state !== "queued" || task.timer !== undefined || task.ready) {
      return;
    }
    const waitMs = Math.max(0, task.scheduleMs - now()) * timeScale;
    task.timer = later(waitMs, () => {
      task.timer = undefined;
      if (task.state !== "queued" || paused) {
        return;
      }
      makeReady(task);
    });
  };

  const makeReady = (task: TaskEntry): void => {
    if (!task.ready) {
      task.ready = true;
      queueState(task.queue).ready.push(task);
    }
    pump(task.queue);
  };

  const pump = (queue: string): void => {
    const state = queueState(queue);
    while (!paused && !closed && state.active < maxConcurrentOf(queue)) {
      const task = state.ready.shift();
      if (task === undefined) {
        return;
      }
      task.ready = false;
      if (task.state !== "queued") {
        continue;
      }
      state.active += 1;
      void attempt(task).finally(() => {
        state.active -= 1;
        pump(queue);
        checkIdle();
      });
    }
  };

  const takeTargeted = (list: Targeted[], taskId: string): boolean => {
    const index = list.findIndex((t) => t.taskId === undefined || t.taskId === taskId);
    const target = list[index];
    if (target === undefined) {
      return false;
    }
    target.remaining -= 1;
    if (target.remaining <= 0) {
      list.splice(index, 1);
    }
    return true;
  };

  const attempt = async (task: TaskEntry): Promise<void> => {
    task.state = "dispatching";
    task.dispatchCount += 1;
    counters.attempts += 1;
    const n = task.dispatchCount;
    const dispatchMs = now();
    const record: Attempt = { scheduleMs: task.scheduleMs, dispatchMs };
    task.firstAttempt ??= record;
    task.lastAttempt = record;
    const headers = deliveryHeaders(task);

    const duplicate =
      takeTargeted(controls.duplicate, task.id) ||
      (chance !== undefined && chance("duplicate", task.name, n) < (chaos?.duplicateRate ?? 0));
    const concurrentDuplicate =
      duplicate && chance !== undefined && chance("duplicate-concurrent", task.name, n) < 0.5;
    const extra: Promise<void>[] = [];
    if (duplicate && (concurrentDuplicate || chance === undefined)) {
      extra.push(deliver(task, n, true, headers).then(() => undefined));
    }
    const primary = await deliver(task, n, false, headers);
    if (duplicate && extra.length === 0) {
      extra.push(deliver(task, n, true, headers).then(() => undefined));
    }

    const dropped =
      primary.result.kind === "response" &&
      (takeTargeted(controls.drop, task.id) ||
        [...responseHooks].some((hook) => hook(primary.record) === "drop") ||
        (chance !== undefined && chance("drop", task.name, n) < (chaos?.dropResponseRate ?? 0)));
    if (dropped) {
      primary.record.dropped = true;
      counters.droppedResponses += 1;
    }
    // a DeleteTask during the attempt already finished the task
    if (!wasDeletedMeanwhile(task)) {
      settleAttempt(task, record, primary.result, dropped);
    }
    await Promise.all(extra);
  };

  const settleAttempt = (
    task: TaskEntry,
    record: Attempt,
    result: DeliveryResult,
    dropped: boolean,
  ): void => {
    const answered = result.kind === "response" && !dropped;
    const status = answered ? result.status : 504;
    record.responseMs = now();
    record.status = status;
    if (answered) {
      task.responseCount += 1;
      if (status < 500) {
        task.executionCount += 1;
      }
    }
    if (answered && status >= 200 && status < 300) {
      counters.succeeded += 1;
      finish(task, "succeeded");
      return;
    }
    counters.failedAttempts += 1;
    if (!answered) {
      counters.timeouts += 1;
    }
    task.previousResponse = status;
    task.retryReason = answered ? `HTTP status code ${String(status)}` : "DEADLINE_EXCEEDED";
    const config = retryConfigOf(task.queue);
    if (retriesExhausted(config, task.dispatchCount, task.retryingForSeconds)) {
      counters.gaveUp += 1;
      finish(task, "gaveUp");
      return;
    }
    let wait = backoffSeconds(config, task.dispatchCount);
    if (result.kind === "response" && !dropped && (status === 429 || status === 503)) {
      wait = Math.max(wait, retryAfterSeconds(result.headers) ?? 0);
    }
    task.backoffSeconds.push(wait);
    task.retryingForSeconds += wait;
    task.scheduleMs = now() + wait * 1000;
    task.state = "queued";
    schedule(task);
  };

  const finish = (task: TaskEntry, state: "succeeded" | "gaveUp" | "deleted"): void => {
    task.state = state;
    if (task.timer !== undefined) {
      clearTimeout(task.timer);
      timers.delete(task.timer);
      task.timer = undefined;
    }
    live.delete(task.name);
    tombstones.set(task.name, now());
    checkIdle();
  };

  const deliveryHeaders = (task: TaskEntry): Record<string, string> => {
    const own = Object.fromEntries(
      Object.entries(task.httpRequest.headers ?? {}).filter(([name]) => !isReservedHeader(name)),
    );
    const { oidcToken, oauthToken } = task.httpRequest;
    const authorization =
      oidcToken !== undefined
        ? `Bearer ${fakeOidcToken(oidcToken.serviceAccountEmail, oidcToken.audience ?? task.httpRequest.url, now())}`
        : oauthToken !== undefined
          ? `Bearer standin-oauth-token-for-${oauthToken.serviceAccountEmail}`
          : undefined;
    return {
      ...own,
      ...cloudTasksHeaders({
        queueId: task.queueId,
        taskId: task.id,
        retryCount: task.dispatchCount - 1,
        executionCount: task.executionCount,
        etaMs: task.scheduleMs,
        previousResponse: task.previousResponse,
        retryReason: task.retryReason,
      }),
      ...(authorization === undefined ? {} : { Authorization: authorization }),
    };
  };

  const deliver = async (
    task: TaskEntry,
    n: number,
    duplicate: boolean,
    headers: Record<string, string>,
  ): Promise<{ record: MutableDelivery; result: DeliveryResult }> => {
    inFlight += 1;
    if (duplicate) {
      counters.duplicates += 1;
    }
    const record: MutableDelivery = {
      seq: deliveries.length + 1,
      queue: task.queue,
      taskName: task.name,
      taskId: task.id,
      attempt: n,
      duplicate,
      method: task.method,
      url: task.httpRequest.url,
      headers,
      body: task.body,
      status: undefined,
      responseBody: undefined,
      timedOut: false,
      error: undefined,
      dropped: false,
      done: false,
    };
    deliveries.push(record);
    try {
      const jitter = chaos?.maxJitterMs ?? 0;
      if (jitter > 0 && chance !== undefined) {
        const waitMs = Math.floor(chance("jitter", task.name, n, String(duplicate)) * jitter);
        await new Promise<void>((wake) => later(waitMs, wake));
      }
      const result = closed
        ? ({ kind: "error", message: "stand-in closed" } as const)
        : await sendRequest({
            url: task.httpRequest.url,
            method: task.method,
            headers,
            body: task.body,
            deadlineMs: task.deadlineSeconds * 1000 * deadlineScale,
            signal: abort.signal,
          });
      if (result.kind === "response") {
        record.status = result.status;
        record.responseBody = result.body.toString("utf8");
      } else if (result.kind === "timeout") {
        record.timedOut = true;
      } else {
        record.error = result.message;
      }
      return { record, result };
    } finally {
      record.done = true;
      inFlight -= 1;
      for (const listener of deliveryListeners) {
        listener(record);
      }
      checkIdle();
    }
  };

  // ---- REST surface ----

  const injectedFailure = (): StandinResponse | undefined => {
    const failure = controls.failures.shift();
    return failure === undefined
      ? undefined
      : googleErrorResponse(
          failure.httpStatus,
          failure.status,
          failure.message ?? `injected ${failure.status}`,
        );
  };

  const invalid = (message: string): StandinResponse => {
    counters.invalid += 1;
    return googleErrorResponse(400, "INVALID_ARGUMENT", message);
  };

  const createTask = (request: LoggedRequest, queue: string): StandinResponse => {
    const failure = injectedFailure();
    if (failure) {
      return failure;
    }
    const queueId = queue.split("/").at(-1) ?? "";
    if (!QUEUE_ID.test(queueId)) {
      return invalid(`Queue ID "${queueId}" must match [A-Za-z0-9-]{1,100}.`);
    }
    const parsed = createTaskRequest.safeParse(parseJson(request.body));
    if (!parsed.success) {
      return invalid(z.prettifyError(parsed.error));
    }
    const { task: spec } = parsed.data;
    const name = spec.name ?? `${queue}/tasks/${generatedId()}`;
    const id = name.startsWith(`${queue}/tasks/`) ? name.slice(queue.length + 7) : undefined;
    if (id === undefined || !TASK_ID.test(id)) {
      return invalid(`Task name "${name}" is not ${queue}/tasks/[A-Za-z0-9_-]{1,500}.`);
    }
    if (spec.httpRequest.oidcToken !== undefined && spec.httpRequest.oauthToken !== undefined) {
      return invalid("oidcToken and oauthToken are mutually exclusive.");
    }
    const body = Buffer.from(spec.httpRequest.body ?? "", "base64");
    if (body.length > MAX_TASK_BYTES) {
      return invalid(`Task size too large: the body has ${String(body.length)} bytes.`);
    }
    const deadlineSeconds =
      spec.dispatchDeadline === undefined ? 600 : parseDurationSeconds(spec.dispatchDeadline);
    if (deadlineSeconds === undefined || deadlineSeconds < 15 || deadlineSeconds > 1800) {
      return invalid("dispatchDeadline must be between 15s and 1800s.");
    }
    const createMs = now();
    const scheduleMs =
      spec.scheduleTime === undefined
        ? createMs
        : Math.max(createMs, timestampMs(spec.scheduleTime));
    if (scheduleMs - createMs > MAX_SCHEDULE_AHEAD_MS) {
      return invalid("scheduleTime is more than 30 days in the future.");
    }
    const finishedAt = tombstones.get(name);
    if (live.has(name) || (finishedAt !== undefined && createMs - finishedAt < tombstoneMs)) {
      counters.alreadyExists += 1;
      return googleErrorResponse(
        409,
        "ALREADY_EXISTS",
        live.has(name)
          ? "Requested entity already exists"
          : "The task cannot be created because a task with this name existed too recently.",
      );
    }
    const method = methodName(spec.httpRequest.httpMethod);
    const task: TaskEntry = {
      name,
      id,
      queue,
      queueId,
      httpRequest: spec.httpRequest,
      method,
      body,
      createMs,
      deadlineSeconds,
      scheduleMs,
      state: "queued",
      dispatchCount: 0,
      responseCount: 0,
      executionCount: 0,
      previousResponse: undefined,
      retryReason: undefined,
      retryingForSeconds: 0,
      backoffSeconds: [],
      firstAttempt: undefined,
      lastAttempt: undefined,
      timer: undefined,
      ready: false,
    };
    history.push(task);
    live.set(name, task);
    counters.created += 1;
    schedule(task);
    if (controls.loseCreates > 0) {
      controls.loseCreates -= 1;
      return googleErrorResponse(
        503,
        "UNAVAILABLE",
        "injected: response lost after the task was created",
      );
    }
    return jsonResponse(200, taskJson(task, request, parsed.data.responseView));
  };

  const getTask = (request: LoggedRequest, name: string): StandinResponse => {
    const task = live.get(name);
    return task === undefined
      ? taskNotFound(name)
      : jsonResponse(200, taskJson(task, request, request.query.get("responseView") ?? undefined));
  };

  const deleteTask = (name: string): StandinResponse => {
    const task = live.get(name);
    if (task === undefined) {
      return taskNotFound(name);
    }
    counters.deletedByApi += 1;
    finish(task, "deleted");
    return jsonResponse(200, {});
  };

  const runTask = (request: LoggedRequest, name: string): StandinResponse => {
    const task = live.get(name);
    if (task === undefined) {
      return taskNotFound(name);
    }
    if (task.state === "queued") {
      if (task.timer !== undefined) {
        clearTimeout(task.timer);
        timers.delete(task.timer);
        task.timer = undefined;
      }
      task.scheduleMs = now();
      makeReady(task);
    }
    return jsonResponse(200, taskJson(task, request));
  };

  const listTasks = (request: LoggedRequest, queue: string): StandinResponse => {
    const tasks = [...live.values()]
      .filter((task) => task.queue === queue)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((task) => taskJson(task, request, request.query.get("responseView") ?? undefined));
    return jsonResponse(200, tasks.length === 0 ? {} : { tasks });
  };

  const api =
    (handler: (request: LoggedRequest, match: RegExpExecArray) => StandinResponse) =>
    (request: LoggedRequest, match: RegExpExecArray): StandinResponse =>
      injectedFailure() ?? handler(request, match);

  const server = await startLoopbackServer([
    {
      method: "POST",
      path: new RegExp(`^/v2/(${QUEUE})/tasks$`),
      handler: (request, match) => createTask(request, match[1] ?? ""),
    },
    {
      method: "GET",
      path: new RegExp(`^/v2/(${QUEUE})/tasks$`),
      handler: api((request, match) => listTasks(request, match[1] ?? "")),
    },
    {
      method: "POST",
      path: new RegExp(`^/v2/(${QUEUE}/tasks/[^/:]+):run$`),
      handler: api((request, match) => runTask(request, match[1] ?? "")),
    },
    {
      method: "GET",
      path: new RegExp(`^/v2/(${QUEUE}/tasks/[^/:]+)$`),
      handler: api((request, match) => getTask(request, match[1] ?? "")),
    },
    {
      method: "DELETE",
      path: new RegExp(`^/v2/(${QUEUE}/tasks/[^/:]+)$`),
      handler: api((_request, match) => deleteTask(match[1] ?? "")),
    },
  ]);

  return {
    server,
    endpoint: { host: server.host, port: server.port },
    counters,
    deliveries,
    tasks: () =>
      history.map((task) => ({
        name: task.name,
        id: task.id,
        queue: task.queue,
        state: task.state,
        dispatchCount: task.dispatchCount,
        responseCount: task.responseCount,
        executionCount: task.executionCount,
        backoffSeconds: [...task.backoffSeconds],
        body: task.body,
      })),
    configureQueue: (queue, config) => {
      queueConfigs.set(queue, config);
      pump(queue);
    },
    waitUntilIdle: () =>
      (live.size === 0 && inFlight === 0) || closed
        ? Promise.resolve()
        : new Promise<void>((wake) => {
            idleWaiters.push(wake);
          }),
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      for (const task of live.values()) {
        schedule(task);
      }
      for (const queue of queues.keys()) {
        pump(queue);
      }
    },
    setChaos: (next) => {
      chaos = next;
      chance = next === undefined ? undefined : seededChance(next.seed);
    },
    duplicateNextDeliveries: (count, taskId) => {
      controls.duplicate.push({ remaining: count, taskId });
    },
    dropNextResponses: (count, taskId) => {
      controls.drop.push({ remaining: count, taskId });
    },
    onResponse: (hook) => {
      responseHooks.add(hook);
      return () => {
        responseHooks.delete(hook);
      };
    },
    onDelivery: (listener) => {
      deliveryListeners.add(listener);
      return () => {
        deliveryListeners.delete(listener);
      };
    },
    failNext: (count, failure) => {
      for (let i = 0; i < count; i += 1) {
        controls.failures.push(failure);
      }
    },
    loseNextCreateResponses: (count) => {
      controls.loseCreates += count;
    },
    expireTombstones: () => {
      tombstones.clear();
    },
    reset: () => {
      controls = freshControls();
      Object.assign(counters, freshCounters());
      deliveries.length = 0;
      server.clearLog();
    },
    close: async () => {
      closed = true;
      for (const timer of timers) {
        clearTimeout(timer);
      }
      timers.clear();
      abort.abort();
      checkIdle();
      await server.close();
    },
  };
}

function wasDeletedMeanwhile(task: TaskEntry): boolean {
  return task.state === "deleted";
}

type MutableDelivery = {
  -readonly [K in keyof DeliveryRecord]: DeliveryRecord[K];
};

function freshCounters(): TasksCounters {
  return {
    created: 0,
    alreadyExists: 0,
    invalid: 0,
    attempts: 0,
    duplicates: 0,
    succeeded: 0,
    failedAttempts: 0,
    timeouts: 0,
    droppedResponses: 0,
    gaveUp: 0,
    deletedByApi: 0,
  };
}

function freshControls(): Controls {
  return { duplicate: [], drop: [], failures: [], loseCreates: 0 };
}

function methodName(value: number | string | undefined): string {
  if (typeof value === "number") {
    return value === 0 ? "POST" : (HTTP_METHODS[value] ?? "POST");
  }
  return value === undefined || value === "" ? "POST" : value;
}

/** System-generated ids are long decimal strings in Cloud Tasks. */
function generatedId(): string {
  return `${String(randomInt(1, 2 ** 47))}${String(randomInt(0, 2 ** 47))}`;
}

function timestampMs(value: z.infer<typeof timestamp>): number {
  if (typeof value === "string") {
    return Date.parse(value);
  }
  return Number(value.seconds) * 1000 + Math.floor((value.nanos ?? 0) / 1e6);
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

function wantsNumericEnums(request: LoggedRequest): boolean {
  return (request.query.get("$alt") ?? "").includes("enum-encoding=int");
}

/** The Task resource: BASIC view leaves out the body, FULL includes it. */
function taskJson(
  task: TaskEntry,
  request: LoggedRequest,
  responseView?: number | string,
): Record<string, unknown> {
  const full = responseView === 2 || responseView === "FULL" || responseView === "2";
  const numeric = wantsNumericEnums(request);
  const { headers, oidcToken, oauthToken, url } = task.httpRequest;
  const attemptJson = (attempt: Attempt | undefined): Record<string, unknown> | undefined =>
    attempt === undefined
      ? undefined
      : {
          scheduleTime: rfc3339(attempt.scheduleMs),
          dispatchTime: rfc3339(attempt.dispatchMs),
          ...(attempt.responseMs === undefined
            ? {}
            : {
                responseTime: rfc3339(attempt.responseMs),
                responseStatus: { code: grpcCodeFor(attempt.status ?? 504) },
              }),
        };
  const first = attemptJson(task.firstAttempt);
  const last = attemptJson(task.lastAttempt);
  return {
    name: task.name,
    httpRequest: {
      url,
      httpMethod: numeric
        ? HTTP_METHODS.indexOf(task.method as (typeof HTTP_METHODS)[number])
        : task.method,
      headers: headers ?? {},
      ...(full ? { body: task.body.toString("base64") } : {}),
      ...(oidcToken === undefined ? {} : { oidcToken }),
      ...(oauthToken === undefined ? {} : { oauthToken }),
    },
    scheduleTime: rfc3339(task.scheduleMs),
    createTime: rfc3339(task.createMs),
    dispatchDeadline: `${String(task.deadlineSeconds)}s`,
    dispatchCount: task.dispatchCount,
    responseCount: task.responseCount,
    ...(first === undefined ? {} : { firstAttempt: first }),
    ...(last === undefined ? {} : { lastAttempt: last }),
    view: numeric ? (full ? 2 : 1) : full ? "FULL" : "BASIC",
  };
}

/** The gRPC code Cloud Tasks records for a target's HTTP status. */
function grpcCodeFor(status: number): number {
  if (status >= 200 && status < 300) {
    return 0;
  }
  const codes: Readonly<Record<number, number>> = {
    400: 3,
    401: 16,
    403: 7,
    404: 5,
    409: 10,
    429: 8,
    499: 1,
    501: 12,
    503: 14,
    504: 4,
  };
  return codes[status] ?? (status >= 500 ? 13 : 2);
}

function taskNotFound(name: string): StandinResponse {
  return googleErrorResponse(404, "NOT_FOUND", `Requested entity was not found: ${name}`);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
