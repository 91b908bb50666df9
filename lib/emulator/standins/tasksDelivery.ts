import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

/**
 * How the Cloud Tasks stand-in calls a task's target: the headers Cloud Tasks adds
 * (gcp-platform.md §6.2), a fake OIDC token, and one HTTP exchange bounded by the dispatch
 * deadline. The target's answer is read in full and kept for the delivery log.
 */

/** Cloud Tasks' HTTP methods, by their `enum-encoding=int` numbers. */
export const HTTP_METHODS = [
  "",
  "POST",
  "GET",
  "HEAD",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
] as const;

export type DeliveryResult =
  | {
      readonly kind: "response";
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      readonly body: Buffer;
    }
  | { readonly kind: "timeout" }
  | { readonly kind: "error"; readonly message: string };

/** Headers a task may not set: Cloud Tasks computes, replaces or reserves them. */
export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower === "host" ||
    lower === "content-length" ||
    lower === "user-agent" ||
    lower === "authorization" ||
    lower.startsWith("x-cloudtasks-") ||
    lower.startsWith("x-google-") ||
    lower.startsWith("x-appengine-")
  );
}

export interface CloudTasksHeaderValues {
  readonly queueId: string;
  readonly taskId: string;
  /** attempts before this one */
  readonly retryCount: number;
  /** earlier attempts that got a response below 500 */
  readonly executionCount: number;
  readonly etaMs: number;
  readonly previousResponse: number | undefined;
  readonly retryReason: string | undefined;
}

export function cloudTasksHeaders(values: CloudTasksHeaderValues): Record<string, string> {
  return {
    "User-Agent": "Google-Cloud-Tasks",
    "X-CloudTasks-QueueName": values.queueId,
    "X-CloudTasks-TaskName": values.taskId,
    "X-CloudTasks-TaskRetryCount": String(values.retryCount),
    "X-CloudTasks-TaskExecutionCount": String(values.executionCount),
    "X-CloudTasks-TaskETA": (values.etaMs / 1000).toFixed(6),
    ...(values.previousResponse === undefined
      ? {}
      : { "X-CloudTasks-TaskPreviousResponse": String(values.previousResponse) }),
    ...(values.retryReason === undefined
      ? {}
      : { "X-CloudTasks-TaskRetryReason": values.retryReason }),
  };
}

/**
 * An unsigned JWT shaped like the ID token Cloud Tasks mints (`alg: none`, so nothing can
 * mistake it for a real credential); the emulated function can decode it to log who called.
 */
export function fakeOidcToken(
  serviceAccountEmail: string,
  audience: string,
  nowMs: number,
): string {
  const encode = (value: unknown): string =>
    Buffer.from(JSON.stringify(value)).toString("base64url");
  const iat = Math.floor(nowMs / 1000);
  const sub = createHash("sha256").update(serviceAccountEmail).digest("hex").slice(0, 21);
  return [
    encode({ alg: "none", typ: "JWT", kid: "cloud-tasks-standin" }),
    encode({
      iss: "https://accounts.google.com",
      aud: audience,
      azp: sub,
      sub,
      email: serviceAccountEmail,
      email_verified: true,
      iat,
      exp: iat + 3600,
    }),
    "",
  ].join(".");
}

/** One HTTP exchange; never rejects. `signal` aborts it (the stand-in closing). */
export function sendRequest(input: {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly deadlineMs: number;
  readonly signal: AbortSignal;
}): Promise<DeliveryResult> {
  return new Promise((resolve) => {
    const url = new URL(input.url);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const withBody = input.body.length > 0 && !["GET", "HEAD", "OPTIONS"].includes(input.method);
    let settled = false;
    const settle = (result: DeliveryResult): void => {
      if (!settled) {
        settled = true;
        clearTimeout(deadline);
        resolve(result);
      }
    };
    // one connection per delivery (agent: false), as separate dispatches would be
    const request = send(url, {
      method: input.method,
      headers: {
        ...input.headers,
        ...(withBody ? { "Content-Length": String(input.body.length) } : {}),
      },
      agent: false,
      signal: input.signal,
    });
    const deadline = setTimeout(() => {
      settle({ kind: "timeout" });
      request.destroy();
    }, input.deadlineMs);
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        settle({
          kind: "response",
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        });
      });
      response.on("error", (error) => {
        settle({ kind: "error", message: error.message });
      });
    });
    request.on("error", (error) => {
      settle({ kind: "error", message: error.message });
    });
    request.end(withBody ? input.body : undefined);
  });
}

/** `Retry-After` in seconds (delta form only), when a 429/503 carries one. */
export function retryAfterSeconds(headers: IncomingHttpHeaders): number | undefined {
  const value = headers["retry-after"];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
