import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny HTTP server on 127.0.0.1:0 for the Google stand-ins (gcp-platform.md §8.2). The real
 * client libraries talk to it over REST; each stand-in supplies a route table and keeps its own
 * state. Every request is logged so that tests can assert what the real client actually sent.
 */

export interface LoggedRequest {
  readonly method: string;
  /** The raw request target, path plus query, exactly as the client sent it. */
  readonly url: string;
  /** The path, percent-decoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface StandinResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export type RouteHandler = (
  request: LoggedRequest,
  match: RegExpExecArray,
) => StandinResponse | Promise<StandinResponse>;

export interface Route {
  readonly method: string;
  /** Matched against the decoded path; capture groups reach the handler. */
  readonly path: RegExp;
  readonly handler: RouteHandler;
}

export interface LoopbackServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** Every request received, in arrival order (including unrouted ones). */
  readonly requests: readonly LoggedRequest[];
  clearLog(): void;
  /** Resolves once no request is being handled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function jsonResponse(status: number, value: unknown): StandinResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(value),
  };
}

/** Google's JSON error shape, which gax maps to a gRPC code through `status`. */
export function googleErrorResponse(
  httpStatus: number,
  status: string,
  message: string,
): StandinResponse {
  return jsonResponse(httpStatus, { error: { code: httpStatus, message, status } });
}

export async function startLoopbackServer(routes: readonly Route[]): Promise<LoopbackServer> {
  const requests: LoggedRequest[] = [];
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];

  const settle = (): void => {
    inFlight -= 1;
    if (inFlight === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) {
        wake();
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const request = await readRequest(req);
    requests.push(request);
    let response: StandinResponse;
    try {
      response = await route(routes, request);
    } catch (error) {
      // A bug in a stand-in must surface as a loud 500, not a hung client.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      response = googleErrorResponse(500, "INTERNAL", `stand-in failure: ${message}`);
    }
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  };

  const server = createServer((req, res) => {
    inFlight += 1;
    handle(req, res).then(settle, (error: unknown) => {
      settle();
      res.destroy(error instanceof Error ? error : undefined);
    });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(0, "127.0.0.1", () => {
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    host: "127.0.0.1",
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    clearLog: () => {
      requests.length = 0;
    },
    idle: () =>
      inFlight === 0
        ? Promise.resolve()
        : new Promise<void>((wake) => {
            idleWaiters.push(wake);
          }),
    close: () =>
      new Promise<void>((resolveClose, rejectClose) => {
        server.close((error) => {
          if (error) {
            rejectClose(error);
          } else {
            resolveClose();
          }
        });
        // Client libraries keep sockets alive; without this close() waits for their timeout.
        server.closeAllConnections();
      }),
  };
}

async function readRequest(req: IncomingMessage): Promise<LoggedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  const url = req.url ?? "/";
  const parsed = new URL(url, "http://127.0.0.1");
  return {
    method: req.method ?? "GET",
    url,
    path: decodeURIComponent(parsed.pathname),
    query: parsed.searchParams,
    headers: req.headers,
    body: Buffer.concat(chunks),
  };
}

async function route(routes: readonly Route[], request: LoggedRequest): Promise<StandinResponse> {
  for (const candidate of routes) {
    if (candidate.method !== request.method) {
      continue;
    }
    const match = candidate.path.exec(request.path);
    if (match) {
      return candidate.handler(request, match);
    }
  }
  return googleErrorResponse(
    404,
    "NOT_FOUND",
    `stand-in has no route for ${request.method} ${request.path}`,
  );
}
