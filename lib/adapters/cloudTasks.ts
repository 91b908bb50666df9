import { setTimeout as sleep } from "node:timers/promises";
import { CloudTasksClient } from "@google-cloud/tasks";
import { PassThroughClient } from "google-auth-library";
import { z } from "zod";
import { SentryImportError } from "../errors.ts";
import { TASK_ID_PATTERN } from "../pipeline/taskIds.ts";
import type { ChunkQueue, QueuedTask } from "../ports.ts";

/**
 * Cloud Tasks behind the `ChunkQueue` port (gcp-platform.md §6). Every task is named, so Cloud
 * Tasks itself refuses a second enqueue of the same chunk (ALREADY_EXISTS) for about an hour
 * after the first one ran; past that window the Postgres ledger is what keeps imports exactly
 * once. Tasks carry only a small JSON reference to the staged chunk, never the rows.
 */

/** Where the client connects: Google by default, or a loopback stand-in over plain HTTP. */
export interface TasksClientOptions {
  readonly endpoint?: { readonly host: string; readonly port: number };
}

export function makeTasksClient(options: TasksClientOptions = {}): CloudTasksClient {
  const { endpoint } = options;
  if (endpoint === undefined) {
    return new CloudTasksClient();
  }
  // REST fallback is the only transport a plain HTTP stand-in can serve; PassThroughClient sends
  // no credentials, so nothing looks for Application Default Credentials.
  return new CloudTasksClient({
    fallback: true,
    protocol: "http",
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    authClient: new PassThroughClient(),
  });
}

export interface CloudTasksQueueOptions {
  readonly client: CloudTasksClient;
  readonly project: string;
  readonly location: string;
  /** the queue id (`[A-Za-z0-9-]`, ≤ 100 characters) */
  readonly queue: string;
  /** the import-chunk function's URL */
  readonly targetUrl: string;
  /** the invoker identity; when set, Cloud Tasks attaches an OIDC token minted for it */
  readonly serviceAccountEmail?: string;
  /** the OIDC audience; Cloud Tasks defaults it to `targetUrl`. Use the function's base URI. */
  readonly audience?: string;
  /** 15–1800 s (Cloud Tasks' default is 600 s); keep it just above the function's timeout */
  readonly dispatchDeadlineSeconds?: number;
  /**
   * CreateTask attempts on a transient failure (UNAVAILABLE, DEADLINE_EXCEEDED, …). The client
   * never retries CreateTask, but a named task is safe to re-create: if the lost attempt had
   * succeeded, the retry answers ALREADY_EXISTS. Default 4.
   */
  readonly createAttempts?: number;
  /** the first pause between attempts, doubled each time (default 200 ms) */
  readonly retryDelayMs?: number;
}

/** Cloud Tasks refuses larger tasks; the body is by far the largest part of ours (§6.5). */
export const MAX_TASK_BODY_BYTES = 100 * 1024;

const queueOptionsSchema = z.looseObject({
  project: z.string().min(1),
  location: z.string().min(1),
  queue: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "a queue id is [A-Za-z0-9-], ≤ 100 characters"),
  targetUrl: z.url({ protocol: /^https?$/ }),
  serviceAccountEmail: z.email().optional(),
  audience: z.string().min(1).optional(),
  dispatchDeadlineSeconds: z.int().min(15).max(1800).optional(),
  createAttempts: z.int().min(1).optional(),
  retryDelayMs: z.number().nonnegative().optional(),
});

export function makeCloudTasksQueue(options: CloudTasksQueueOptions): ChunkQueue {
  const parsed = queueOptionsSchema.parse(options);
  const { client } = options;
  const parent = client.queuePath(parsed.project, parsed.location, parsed.queue);
  const attempts = parsed.createAttempts ?? 4;
  const retryDelayMs = parsed.retryDelayMs ?? 200;

  return {
    enqueue: async (task: QueuedTask) => {
      if (!TASK_ID_PATTERN.test(task.id)) {
        throw new SentryImportError(
          "task_invalid",
          `task id ${JSON.stringify(task.id)} is not [A-Za-z0-9_-] of at most 500 characters`,
          { context: { taskId: task.id } },
        );
      }
      const body = Buffer.from(JSON.stringify(task.body), "utf8");
      if (body.length > MAX_TASK_BODY_BYTES) {
        throw new SentryImportError(
          "task_invalid",
          `task ${task.id} has a ${body.length}-byte body; Cloud Tasks accepts at most ` +
            `${MAX_TASK_BODY_BYTES}: pass chunk data by reference`,
          { context: { taskId: task.id, bodyBytes: body.length } },
        );
      }
      const name = client.taskPath(parsed.project, parsed.location, parsed.queue, task.id);
      const request = {
        parent,
        task: {
          name,
          httpRequest: {
            httpMethod: "POST" as const,
            url: parsed.targetUrl,
            // Cloud Tasks sets no Content-Type, and without one the function sees no body
            headers: { "Content-Type": "application/json" },
            body,
            ...(parsed.serviceAccountEmail === undefined
              ? {}
              : {
                  oidcToken: {
                    serviceAccountEmail: parsed.serviceAccountEmail,
                    audience: parsed.audience ?? parsed.targetUrl,
                  },
                }),
          },
          ...(parsed.dispatchDeadlineSeconds === undefined
            ? {}
            : { dispatchDeadline: { seconds: parsed.dispatchDeadlineSeconds } }),
        },
      };
      for (let attempt = 1; ; attempt += 1) {
        try {
          await client.createTask(request);
          return "created";
        } catch (error) {
          if (isAlreadyExistsError(error)) {
            return "alreadyExists";
          }
          if (attempt >= attempts || !isTransientError(error)) {
            throw enqueueFailed(name, attempt, error);
          }
        }
        await sleep(retryDelayMs * 2 ** (attempt - 1));
      }
    },
  };
}

const googleErrorShape = z.looseObject({
  code: z.union([z.number(), z.string()]).optional(),
  status: z.string().optional(),
  message: z.string().optional(),
});

/**
 * True for "a task with this name exists or ran recently", whichever way the client reports it:
 * gax 6 REST fallback and gRPC give `code === 6`; gax 5 REST fallback gives HTTP `code === 409`;
 * some paths keep only the status name or the message (gcp-platform.md §6.6).
 */
export function isAlreadyExistsError(error: unknown): boolean {
  const shape = googleErrorShape.safeParse(error);
  if (!shape.success) {
    return false;
  }
  const { code, status, message } = shape.data;
  return (
    code === 6 ||
    code === 409 ||
    status === "ALREADY_EXISTS" ||
    (message?.includes("ALREADY_EXISTS") ?? false)
  );
}

// gRPC DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE, and their HTTP forms
const TRANSIENT_CODES: ReadonlySet<number | string> = new Set([
  4, 8, 13, 14, 429, 500, 502, 503, 504,
]);
const TRANSIENT_STATUSES: ReadonlySet<string> = new Set([
  "DEADLINE_EXCEEDED",
  "RESOURCE_EXHAUSTED",
  "INTERNAL",
  "UNAVAILABLE",
]);
// socket-level failures that never reached a status
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
]);

function isTransientError(error: unknown): boolean {
  const shape = googleErrorShape.safeParse(error);
  if (!shape.success) {
    return false;
  }
  const { code, status } = shape.data;
  return (
    (code !== undefined &&
      (TRANSIENT_CODES.has(code) || TRANSIENT_NETWORK_CODES.has(String(code)))) ||
    (status !== undefined && TRANSIENT_STATUSES.has(status))
  );
}

function enqueueFailed(taskName: string, attempts: number, error: unknown): SentryImportError {
  const shape = googleErrorShape.safeParse(error);
  const { code, status, message } = shape.success ? shape.data : {};
  return new SentryImportError(
    "task_enqueue_failed",
    `Cloud Tasks CreateTask ${taskName} failed after ${attempts} attempt(s): ` +
      `${status ?? (code === undefined ? "error" : `code ${String(code)}`)}: ${message ?? String(error)}`,
    { cause: error, context: { taskName, attempts, code: code ?? null, status: status ?? null } },
  );
}
