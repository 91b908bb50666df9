import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { http } from "@google-cloud/functions-framework";
import type { Request, Response } from "@google-cloud/functions-framework";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import type { CloudTasksClient } from "@google-cloud/tasks";
import {
  MAX_TASK_BODY_BYTES,
  isAlreadyExistsError,
  makeCloudTasksQueue,
  makeTasksClient,
} from "../../../lib/adapters/cloudTasks.ts";
import type { CloudTasksQueueOptions } from "../../../lib/adapters/cloudTasks.ts";
import { SentryImportError } from "../../../lib/errors.ts";
import type { ChunkQueue } from "../../../lib/ports.ts";
import { backoffSeconds, startTasksStandin } from "../../../lib/emulator/standins/tasks.ts";
import type { RetryConfig, TasksStandin } from "../../../lib/emulator/standins/tasks.ts";

// The real @google-cloud/tasks client (REST fallback) against the Cloud Tasks stand-in, which
// dispatches to an HTTP function served by the Functions Framework (gcp-platform.md §6, §8.2).

const PROJECT = "test-project";
const LOCATION = "us-central1";
const QUEUE_ID = "import-chunks";
const QUEUE = `projects/${PROJECT}/locations/${LOCATION}/queues/${QUEUE_ID}`;
const INVOKER = "tasks-invoker@test-project.iam.gserviceaccount.com";

const RETRY: RetryConfig = {
  maxAttempts: 4,
  minBackoffSeconds: 5,
  maxBackoffSeconds: 600,
  maxDoublings: 4,
  maxRetryDurationSeconds: 0,
};

// ---- the target: an HTTP function whose answers each test scripts per task ----

interface Received {
  readonly taskId: string;
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

const received: Received[] = [];
/** statuses to answer, per task id, in order; 204 once a script runs out */
const scripts = new Map<string, number[]>();
/** task ids whose next request hangs until the test releases it */
const hangs = new Map<string, () => void>();
const hanging: (() => void)[] = [];

/** deliveries of each queue in flight at the stand-in when a request arrived */
const inFlightAtArrival: { queue: string; inFlight: number }[] = [];

http("standinTarget", async (req: Request, res: Response) => {
  const taskId = req.header("x-cloudtasks-taskname") ?? "";
  received.push({ taskId, method: req.method, headers: { ...req.headers }, body: req.body });
  const queue = req.header("x-cloudtasks-queuename") ?? "";
  inFlightAtArrival.push({
    queue,
    inFlight: tasks.deliveries.filter((d) => d.queue.endsWith(`/${queue}`) && !d.done).length,
  });
  const hang = hangs.get(taskId);
  if (hang !== undefined) {
    hangs.delete(taskId);
    await new Promise<void>((release) => {
      hanging.push(release);
    });
    hang();
  }
  const status = scripts.get(taskId)?.shift() ?? 204;
  res.status(status).send(status === 204 ? undefined : `status ${String(status)}`);
});

let target: Server;
let targetUrl: string;
let tasks: TasksStandin;
let client: CloudTasksClient;
let clock = Date.now();

beforeAll(async () => {
  target = getTestServer("standinTarget");
  await new Promise<void>((listening) => target.listen(0, "127.0.0.1", listening));
  targetUrl = `http://127.0.0.1:${String((target.address() as AddressInfo).port)}/`;
  tasks = await startTasksStandin({
    timeScale: 0,
    now: () => clock,
    queueConfig: { retryConfig: RETRY },
  });
  client = makeTasksClient({ endpoint: tasks.endpoint });
});

afterAll(async () => {
  await client.close();
  await tasks.close();
  await new Promise<void>((closed) => {
    target.close(() => {
      closed();
    });
    target.closeAllConnections();
  });
});

beforeEach(() => {
  tasks.reset();
  tasks.setChaos(undefined);
  received.length = 0;
  scripts.clear();
});

afterEach(() => {
  for (const release of hanging.splice(0)) {
    release();
  }
});

function queueWith(overrides: Partial<CloudTasksQueueOptions> = {}): ChunkQueue {
  return makeCloudTasksQueue({
    client,
    project: PROJECT,
    location: LOCATION,
    queue: QUEUE_ID,
    targetUrl,
    serviceAccountEmail: INVOKER,
    audience: targetUrl,
    dispatchDeadlineSeconds: 900,
    retryDelayMs: 0,
    ...overrides,
  });
}

let taskCounter = 0;
function taskId(label = "chunk"): string {
  taskCounter += 1;
  return `0123456789abcdef-${label}-${String(taskCounter)}`;
}

function receivedFor(id: string): Received[] {
  return received.filter((request) => request.taskId === id);
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (thrown: unknown) => thrown,
  );
}

describe("Cloud Tasks ChunkQueue: createTask", () => {
  it("creates a named task with the REST shape the client sends", async () => {
    const id = taskId();
    tasks.pause();
    try {
      expect(await queueWith().enqueue({ id, body: { importUuid: "u", minOrdinal: 1 } })).toBe(
        "created",
      );
    } finally {
      tasks.resume();
    }
    await tasks.waitUntilIdle();
    const [create] = tasks.server.requests;
    expect(`${create?.method ?? ""} ${create?.url ?? ""}`).toBe(
      `POST /v2/${QUEUE}/tasks?$alt=json%3Benum-encoding=int`,
    );
    expect(create?.headers["x-goog-request-params"]).toBe(`parent=${encodeURIComponent(QUEUE)}`);
    expect(JSON.parse(create?.body.toString() ?? "")).toEqual({
      task: {
        name: `${QUEUE}/tasks/${id}`,
        httpRequest: {
          url: targetUrl,
          httpMethod: 1,
          headers: { "Content-Type": "application/json" },
          body: Buffer.from('{"importUuid":"u","minOrdinal":1}').toString("base64"),
          oidcToken: { serviceAccountEmail: INVOKER, audience: targetUrl },
        },
        dispatchDeadline: "900s",
      },
    });
  });

  it("reports a second enqueue of a live task as alreadyExists", async () => {
    const id = taskId();
    tasks.pause();
    try {
      expect(await queueWith().enqueue({ id, body: {} })).toBe("created");
      expect(await queueWith().enqueue({ id, body: {} })).toBe("alreadyExists");
    } finally {
      tasks.resume();
    }
    await tasks.waitUntilIdle();
    expect(receivedFor(id)).toHaveLength(1);
    expect(tasks.counters).toMatchObject({ created: 1, alreadyExists: 1 });
  });

  it("refuses a finished task's name within the window, and accepts it once the window passed", async () => {
    const id = taskId();
    const queue = queueWith();
    expect(await queue.enqueue({ id, body: {} })).toBe("created");
    await tasks.waitUntilIdle();
    expect(receivedFor(id)).toHaveLength(1);

    clock += 59 * 60 * 1000;
    expect(await queue.enqueue({ id, body: {} })).toBe("alreadyExists");
    clock += 2 * 60 * 1000;
    expect(await queue.enqueue({ id, body: {} })).toBe("created");
    await tasks.waitUntilIdle();
    expect(receivedFor(id)).toHaveLength(2);
  });

  it("retries a CreateTask whose response was lost and reports the task as existing; it runs once", async () => {
    const id = taskId();
    tasks.loseNextCreateResponses(1);
    expect(await queueWith().enqueue({ id, body: {} })).toBe("alreadyExists");
    await tasks.waitUntilIdle();
    expect(tasks.counters).toMatchObject({ created: 1, alreadyExists: 1 });
    expect(receivedFor(id)).toHaveLength(1);
  });

  it("surfaces a permanent API error as task_enqueue_failed without retrying", async () => {
    tasks.failNext(1, { httpStatus: 403, status: "PERMISSION_DENIED" });
    const error = await errorOf(queueWith().enqueue({ id: taskId(), body: {} }));
    expect(error).toBeInstanceOf(SentryImportError);
    expect(error).toMatchObject({
      code: "task_enqueue_failed",
      context: { attempts: 1, code: 7 },
    });
  });

  it("gives up on a transient API error after createAttempts", async () => {
    tasks.failNext(2, { httpStatus: 503, status: "UNAVAILABLE" });
    const error = await errorOf(
      queueWith({ createAttempts: 2 }).enqueue({ id: taskId(), body: {} }),
    );
    expect(error).toMatchObject({
      code: "task_enqueue_failed",
      context: { attempts: 2, code: 14 },
    });
  });

  it("refuses an invalid id or an oversized body before calling Cloud Tasks", async () => {
    const queue = queueWith();
    await expect(queue.enqueue({ id: "has.dot", body: {} })).rejects.toMatchObject({
      code: "task_invalid",
    });
    await expect(
      queue.enqueue({ id: taskId(), body: "x".repeat(MAX_TASK_BODY_BYTES) }),
    ).rejects.toMatchObject({ code: "task_invalid" });
    expect(tasks.server.requests).toHaveLength(0);
  });

  it("recognises ALREADY_EXISTS in every form the clients report it", () => {
    expect(isAlreadyExistsError({ code: 6, message: "x" })).toBe(true);
    expect(isAlreadyExistsError({ code: 409 })).toBe(true);
    expect(isAlreadyExistsError({ status: "ALREADY_EXISTS" })).toBe(true);
    expect(
      isAlreadyExistsError(new Error("6 ALREADY_EXISTS: Requested entity already exists")),
    ).toBe(true);
    expect(isAlreadyExistsError({ code: 5, message: "NOT_FOUND" })).toBe(false);
    expect(isAlreadyExistsError("ALREADY_EXISTS")).toBe(false);
    expect(isAlreadyExistsError(undefined)).toBe(false);
  });
});

describe("Cloud Tasks stand-in: dispatch", () => {
  it("delivers the body and Cloud Tasks' headers to the HTTP function, which parses the JSON", async () => {
    const id = taskId();
    clock = Date.now();
    await queueWith().enqueue({ id, body: { importUuid: "u", model: "sentry.user" } });
    await tasks.waitUntilIdle();
    const [request] = receivedFor(id);
    expect(request?.method).toBe("POST");
    expect(request?.body).toEqual({ importUuid: "u", model: "sentry.user" });
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Google-Cloud-Tasks",
      "x-cloudtasks-queuename": QUEUE_ID,
      "x-cloudtasks-taskname": id,
      "x-cloudtasks-taskretrycount": "0",
      "x-cloudtasks-taskexecutioncount": "0",
      "x-cloudtasks-tasketa": (clock / 1000).toFixed(6),
    });
    const authorization = String(request?.headers["authorization"]);
    expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.$/);
    const claims: unknown = JSON.parse(
      Buffer.from(authorization.split(".")[1] ?? "", "base64url").toString(),
    );
    expect(claims).toMatchObject({ aud: targetUrl, email: INVOKER });
  });

  it("sends no Authorization header without an OIDC identity", async () => {
    const id = taskId();
    await makeCloudTasksQueue({
      client,
      project: PROJECT,
      location: LOCATION,
      queue: QUEUE_ID,
      targetUrl,
    }).enqueue({
      id,
      body: {},
    });
    await tasks.waitUntilIdle();
    expect(receivedFor(id)[0]?.headers["authorization"]).toBeUndefined();
  });

  it("retries a 500 with the queue's backoff, then succeeds and deletes the task", async () => {
    const id = taskId();
    scripts.set(id, [500, 500, 200]);
    await queueWith().enqueue({ id, body: {} });
    await tasks.waitUntilIdle();

    const requests = receivedFor(id);
    expect(requests.map((request) => request.headers["x-cloudtasks-taskretrycount"])).toEqual([
      "0",
      "1",
      "2",
    ]);
    // 5xx answers are not executions
    expect(requests.map((request) => request.headers["x-cloudtasks-taskexecutioncount"])).toEqual([
      "0",
      "0",
      "0",
    ]);
    expect(requests[1]?.headers["x-cloudtasks-taskpreviousresponse"]).toBe("500");
    const snapshot = tasks.tasks().find((task) => task.id === id);
    expect(snapshot).toMatchObject({ state: "succeeded", dispatchCount: 3, responseCount: 3 });
    expect(snapshot?.backoffSeconds).toEqual([backoffSeconds(RETRY, 1), backoffSeconds(RETRY, 2)]);
    expect(snapshot?.backoffSeconds).toEqual([5, 10]);

    const error = await errorOf(client.getTask({ name: `${QUEUE}/tasks/${id}` }));
    expect(error).toMatchObject({ code: 5 });
  });

  it("counts a 4xx as an execution and still retries it", async () => {
    const id = taskId();
    scripts.set(id, [404, 204]);
    await queueWith().enqueue({ id, body: {} });
    await tasks.waitUntilIdle();
    expect(receivedFor(id).map((r) => r.headers["x-cloudtasks-taskexecutioncount"])).toEqual([
      "0",
      "1",
    ]);
  });

  it("gives up after max_attempts and keeps the name reserved", async () => {
    const id = taskId();
    scripts.set(id, [500, 500, 500, 500, 500]);
    await queueWith().enqueue({ id, body: {} });
    await tasks.waitUntilIdle();
    expect(receivedFor(id)).toHaveLength(RETRY.maxAttempts);
    expect(tasks.tasks().find((task) => task.id === id)?.state).toBe("gaveUp");
    expect(tasks.counters.gaveUp).toBe(1);
    expect(await queueWith().enqueue({ id, body: {} })).toBe("alreadyExists");
  });

  it("follows the documented backoff curve: doublings, then linear steps, capped", () => {
    const config: RetryConfig = {
      ...RETRY,
      minBackoffSeconds: 10,
      maxBackoffSeconds: 300,
      maxDoublings: 3,
    };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffSeconds(config, n))).toEqual([
      10, 20, 40, 80, 160, 240, 300, 300,
    ]);
  });

  it("treats a target that misses the dispatch deadline as a 504 and retries", async () => {
    const fast = await startTasksStandin({ timeScale: 0, deadlineScale: 0.001 });
    const fastClient = makeTasksClient({ endpoint: fast.endpoint });
    try {
      const id = taskId("slow");
      let firstAttemptFinished = false;
      hangs.set(id, () => {
        firstAttemptFinished = true;
      });
      await makeCloudTasksQueue({
        client: fastClient,
        project: PROJECT,
        location: LOCATION,
        queue: QUEUE_ID,
        targetUrl,
        dispatchDeadlineSeconds: 15,
      }).enqueue({ id, body: {} });
      await fast.waitUntilIdle();
      // the retry overlapped the first attempt, which is still running
      expect(firstAttemptFinished).toBe(false);
      expect(fast.deliveries.map((d) => [d.timedOut, d.status])).toEqual([
        [true, undefined],
        [false, 204],
      ]);
      expect(fast.deliveries[1]?.headers["X-CloudTasks-TaskPreviousResponse"]).toBe("504");
      expect(fast.counters.unanswered).toBe(1);
    } finally {
      await fastClient.close();
      await fast.close();
    }
  });

  it("keeps at most max_concurrent_dispatches deliveries of a queue in flight", async () => {
    tasks.configureQueue(`projects/${PROJECT}/locations/${LOCATION}/queues/one-at-a-time`, {
      maxConcurrentDispatches: 1,
    });
    inFlightAtArrival.length = 0;
    const queue = queueWith({ queue: "one-at-a-time" });
    tasks.pause();
    const ids = [taskId("serial"), taskId("serial"), taskId("serial")];
    for (const id of ids) {
      await queue.enqueue({ id, body: {} });
    }
    tasks.resume();
    await tasks.waitUntilIdle();
    expect(ids.map((id) => receivedFor(id).length)).toEqual([1, 1, 1]);
    expect(inFlightAtArrival.map((arrival) => arrival.inFlight)).toEqual([1, 1, 1]);
  });

  it("gets, lists, runs and deletes tasks through the API", async () => {
    const later = taskId("later");
    const doomed = taskId("doomed");
    const scheduleSeconds = Math.floor(clock / 1000) + 3600;
    tasks.pause();
    for (const id of [later, doomed]) {
      await client.createTask({
        parent: QUEUE,
        task: {
          name: `${QUEUE}/tasks/${id}`,
          scheduleTime: { seconds: scheduleSeconds },
          httpRequest: { url: targetUrl, httpMethod: "PUT", body: Buffer.from("{}") },
        },
      });
    }
    const [listed] = await client.listTasks({ parent: QUEUE });
    expect(listed.map((task) => task.name)).toEqual(
      expect.arrayContaining([`${QUEUE}/tasks/${later}`, `${QUEUE}/tasks/${doomed}`]),
    );
    const [fetched] = await client.getTask({
      name: `${QUEUE}/tasks/${later}`,
      responseView: "FULL",
    });
    expect(fetched).toMatchObject({
      httpRequest: { httpMethod: "PUT", url: targetUrl },
      scheduleTime: { seconds: String(scheduleSeconds) },
      view: "FULL",
    });
    await client.deleteTask({ name: `${QUEUE}/tasks/${doomed}` });
    tasks.resume();
    await client.runTask({ name: `${QUEUE}/tasks/${later}` });
    await tasks.waitUntilIdle();
    expect(receivedFor(later).map((request) => request.method)).toEqual(["PUT"]);
    expect(receivedFor(doomed)).toHaveLength(0);
    expect(await queueWith().enqueue({ id: doomed, body: {} })).toBe("alreadyExists");
  });

  it("accepts httpMethod by name and a base64 body, as gcloud sends them", async () => {
    const id = taskId("gcloud");
    const response = await fetch(`${tasks.server.baseUrl}/v2/${QUEUE}/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        task: {
          name: `${QUEUE}/tasks/${id}`,
          httpRequest: {
            url: targetUrl,
            httpMethod: "PATCH",
            headers: { "Content-Type": "application/json", "X-Google-Internal": "dropped" },
            body: Buffer.from('{"ok":true}').toString("base64"),
          },
        },
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      httpRequest: { httpMethod: "PATCH" },
      view: "BASIC",
    });
    await tasks.waitUntilIdle();
    const [request] = receivedFor(id);
    expect(request?.method).toBe("PATCH");
    expect(request?.body).toEqual({ ok: true });
    expect(request?.headers["x-google-internal"]).toBeUndefined();
  });

  it("rejects malformed tasks with INVALID_ARGUMENT", async () => {
    const post = async (task: unknown): Promise<number> =>
      (
        await fetch(`${tasks.server.baseUrl}/v2/${QUEUE}/tasks`, {
          method: "POST",
          body: JSON.stringify({ task }),
        })
      ).status;
    expect(await post({ name: `${QUEUE}/tasks/bad.id`, httpRequest: { url: targetUrl } })).toBe(
      400,
    );
    expect(await post({ httpRequest: { url: targetUrl }, dispatchDeadline: "5s" })).toBe(400);
    expect(
      await post({
        httpRequest: { url: targetUrl, body: Buffer.alloc(100 * 1024 + 1).toString("base64") },
      }),
    ).toBe(400);
    expect(tasks.counters.invalid).toBe(3);
  });
});

describe("Cloud Tasks stand-in: chaos", () => {
  async function runDuplicates(
    seed: number,
  ): Promise<{ duplicated: string[]; hits: Map<string, number> }> {
    tasks.setChaos({ seed, duplicateRate: 0.5 });
    received.length = 0;
    tasks.reset();
    const ids = Array.from({ length: 12 }, (_, i) => `chaos-${String(seed)}-${String(i)}`);
    tasks.expireTombstones();
    const queue = queueWith();
    for (const id of ids) {
      await queue.enqueue({ id, body: { id } });
    }
    await tasks.waitUntilIdle();
    const duplicated = tasks.deliveries
      .filter((delivery) => delivery.duplicate)
      .map((delivery) => delivery.taskId)
      .sort();
    const hits = new Map(ids.map((id) => [id, receivedFor(id).length]));
    return { duplicated, hits };
  }

  it("duplicates deliveries deterministically for a fixed seed; the target sees each duplicate", async () => {
    const first = await runDuplicates(42);
    expect(first.duplicated.length).toBeGreaterThan(0);
    expect(first.duplicated.length).toBeLessThan(12);
    for (const [id, count] of first.hits) {
      expect(count).toBe(first.duplicated.includes(id) ? 2 : 1);
    }
    expect(tasks.counters.duplicates).toBe(first.duplicated.length);
    const again = await runDuplicates(42);
    expect(again.duplicated).toEqual(first.duplicated);
  });

  it("drops a response after the side effect: the attempt fails and the task runs again", async () => {
    const id = taskId("dropped");
    tasks.dropNextResponses(1, id);
    await queueWith().enqueue({ id, body: {} });
    await tasks.waitUntilIdle();
    expect(receivedFor(id)).toHaveLength(2);
    expect(tasks.deliveries.map((d) => [d.attempt, d.status, d.dropped])).toEqual([
      [1, 204, true],
      [2, 204, false],
    ]);
    expect(tasks.deliveries[1]?.headers["X-CloudTasks-TaskPreviousResponse"]).toBe("504");
  });

  it("lets a hook decide which responses to drop", async () => {
    const id = taskId("hooked");
    const unsubscribe = tasks.onResponse((delivery) =>
      delivery.taskId === id && delivery.attempt < 3 ? "drop" : undefined,
    );
    try {
      await queueWith().enqueue({ id, body: {} });
      await tasks.waitUntilIdle();
    } finally {
      unsubscribe();
    }
    expect(receivedFor(id)).toHaveLength(3);
    expect(tasks.counters.droppedResponses).toBe(2);
  });

  it("delivers every task exactly once under random delays", async () => {
    tasks.setChaos({ seed: 7, maxJitterMs: 20 });
    const ids = Array.from({ length: 8 }, () => taskId("jitter"));
    const queue = queueWith();
    for (const id of ids) {
      await queue.enqueue({ id, body: {} });
    }
    await tasks.waitUntilIdle();
    expect(ids.map((id) => receivedFor(id).length)).toEqual(ids.map(() => 1));
  });

  it("duplicates a chosen delivery concurrently on request", async () => {
    const id = taskId("twice");
    tasks.duplicateNextDeliveries(1, id);
    await queueWith().enqueue({ id, body: {} });
    await tasks.waitUntilIdle();
    expect(receivedFor(id)).toHaveLength(2);
    expect(tasks.deliveries.map((d) => d.duplicate).sort()).toEqual([false, true]);
    // both carry the same attempt headers, as a redelivery of one dispatch would
    const [a, b] = receivedFor(id);
    expect(a?.headers["x-cloudtasks-taskretrycount"]).toBe(
      b?.headers["x-cloudtasks-taskretrycount"],
    );
  });
});
