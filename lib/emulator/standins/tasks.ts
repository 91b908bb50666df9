import { seededChance } from "./chaos.ts";
import type { Chance } from "./chaos.ts";
import { googleErrorResponse, jsonResponse, startLoopbackServer } from "./loopback.ts";
import type { LoggedRequest, StandinResponse } from "./loopback.ts";
import {
  cloudTasksHeaders,
  fakeOidcToken,
  isReservedHeader,
  retryAfterSeconds,
  sendRequest,
} from "./tasksDelivery.ts";
import type { DeliveryResult } from "./tasksDelivery.ts";
import { parseCreateTask, taskJson } from "./tasksResource.ts";
import type { Attempt, HttpRequestSpec } from "./tasksResource.ts";
import { DEFAULT_RETRY_CONFIG, backoffSeconds, retriesExhausted } from "./tasksRetry.ts";
import type { RetryConfig } from "./tasksRetry.ts";
import type {
  DeliveryRecord,
  QueueConfig,
  ResponseHook,
  TaskState,
  TasksApiFailure,
  TasksCounters,
  TasksStandin,
  TasksStandinOptions,
} from "./tasksTypes.ts";

export type { RetryConfig } from "./tasksRetry.ts";
export { DEFAULT_RETRY_CONFIG, backoffSeconds } from "./tasksRetry.ts";
export type * from "./tasksTypes.ts";

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

const QUEUE = "projects/[^/]+/locations/[^/]+/queues/[^/]+";

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
      counters.unanswered += 1;
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
    const createMs = now();
    const parsed = parseCreateTask(request.body, queue, createMs);
    if (typeof parsed === "string") {
      return invalid(parsed);
    }
    const { name } = parsed;
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
    const task: TaskEntry = {
      name,
      id: parsed.id,
      queue,
      queueId: parsed.queueId,
      httpRequest: parsed.httpRequest,
      method: parsed.method,
      body: parsed.body,
      createMs,
      deadlineSeconds: parsed.deadlineSeconds,
      scheduleMs: parsed.scheduleMs,
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
    return jsonResponse(200, taskJson(task, request, parsed.responseView));
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
    unanswered: 0,
    droppedResponses: 0,
    gaveUp: 0,
    deletedByApi: 0,
  };
}

function freshControls(): Controls {
  return { duplicate: [], drop: [], failures: [], loseCreates: 0 };
}

function taskNotFound(name: string): StandinResponse {
  return googleErrorResponse(404, "NOT_FOUND", `Requested entity was not found: ${name}`);
}
