import { randomInt } from "node:crypto";
import { z } from "zod";
import type { LoggedRequest } from "./loopback.ts";
import { HTTP_METHODS } from "./tasksDelivery.ts";
import { parseDurationSeconds } from "./tasksRetry.ts";

/**
 * The Cloud Tasks v2 Task resource as the stand-in reads and writes it: CreateTask validation
 * with Cloud Tasks' limits (gcp-platform.md §6.3, §11), and the Task JSON it answers, with enums
 * as numbers when the client asks for `enum-encoding=int` (it always does) and names otherwise.
 */

export const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;
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
export type HttpRequestSpec = z.infer<typeof createTaskRequest>["task"]["httpRequest"];

/** One dispatch, as `firstAttempt` / `lastAttempt` report it. */
export interface Attempt {
  scheduleMs: number;
  dispatchMs: number;
  responseMs?: number;
  status?: number;
}

/** What a CreateTask request asks for, validated. */
export interface NewTask {
  readonly name: string;
  readonly id: string;
  readonly queueId: string;
  readonly httpRequest: HttpRequestSpec;
  readonly method: string;
  readonly body: Buffer;
  readonly createMs: number;
  readonly deadlineSeconds: number;
  readonly scheduleMs: number;
  readonly responseView: number | string | undefined;
}

/** Parses a CreateTask body for `queue` (a full queue name); a string is the INVALID_ARGUMENT. */
export function parseCreateTask(body: Buffer, queue: string, nowMs: number): NewTask | string {
  const queueId = queue.split("/").at(-1) ?? "";
  if (!QUEUE_ID.test(queueId)) {
    return `Queue ID "${queueId}" must match [A-Za-z0-9-]{1,100}.`;
  }
  const parsed = createTaskRequest.safeParse(parseJson(body));
  if (!parsed.success) {
    return z.prettifyError(parsed.error);
  }
  const { task: spec, responseView } = parsed.data;
  const name = spec.name ?? `${queue}/tasks/${generatedId()}`;
  const id = name.startsWith(`${queue}/tasks/`) ? name.slice(queue.length + 7) : undefined;
  if (id === undefined || !TASK_ID.test(id)) {
    return `Task name "${name}" is not ${queue}/tasks/[A-Za-z0-9_-]{1,500}.`;
  }
  if (spec.httpRequest.oidcToken !== undefined && spec.httpRequest.oauthToken !== undefined) {
    return "oidcToken and oauthToken are mutually exclusive.";
  }
  const taskBody = Buffer.from(spec.httpRequest.body ?? "", "base64");
  if (taskBody.length > MAX_TASK_BYTES) {
    return `Task size too large: the body has ${String(taskBody.length)} bytes.`;
  }
  const deadlineSeconds =
    spec.dispatchDeadline === undefined ? 600 : parseDurationSeconds(spec.dispatchDeadline);
  if (deadlineSeconds === undefined || deadlineSeconds < 15 || deadlineSeconds > 1800) {
    return "dispatchDeadline must be between 15s and 1800s.";
  }
  const scheduleMs =
    spec.scheduleTime === undefined ? nowMs : Math.max(nowMs, timestampMs(spec.scheduleTime));
  if (scheduleMs - nowMs > MAX_SCHEDULE_AHEAD_MS) {
    return "scheduleTime is more than 30 days in the future.";
  }
  return {
    name,
    id,
    queueId,
    httpRequest: spec.httpRequest,
    method: methodName(spec.httpRequest.httpMethod),
    body: taskBody,
    createMs: nowMs,
    deadlineSeconds,
    scheduleMs,
    responseView,
  };
}

/** What the Task JSON shows of a stored task. */
export interface TaskResource {
  readonly name: string;
  readonly httpRequest: HttpRequestSpec;
  readonly method: string;
  readonly body: Buffer;
  readonly createMs: number;
  readonly deadlineSeconds: number;
  readonly scheduleMs: number;
  readonly dispatchCount: number;
  readonly responseCount: number;
  readonly firstAttempt: Attempt | undefined;
  readonly lastAttempt: Attempt | undefined;
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
export function taskJson(
  task: TaskResource,
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

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
