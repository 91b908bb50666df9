import { describe, expect, it } from "vitest";
import { jsonResponse, startLoopbackServer } from "../../support/standins/loopback.ts";

// The shared stand-in plumbing (used by the KMS stand-in here, and by the Storage and Tasks ones).
describe("loopback stand-in server", () => {
  it("routes by method and decoded path, logs every request, and 404s the rest Google-style", async () => {
    const server = await startLoopbackServer([
      {
        method: "POST",
        path: /^\/v1\/(.+):echo$/,
        handler: (request, match) =>
          jsonResponse(200, {
            name: match[1],
            body: request.body.toString(),
            q: request.query.get("x"),
          }),
      },
    ]);
    try {
      expect(server.baseUrl).toBe(`http://127.0.0.1:${server.port}`);
      const echoed = await fetch(`${server.baseUrl}/v1/a%2Fb:echo?x=1`, {
        method: "POST",
        body: "hi",
      });
      expect(await echoed.json()).toEqual({ name: "a/b", body: "hi", q: "1" });
      const missing = await fetch(`${server.baseUrl}/v1/a:echo`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: { code: 404, status: "NOT_FOUND" } });
      await server.idle();
      expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
        "POST /v1/a%2Fb:echo?x=1",
        "GET /v1/a:echo",
      ]);
      server.clearLog();
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it("turns a throwing handler into a 500 INTERNAL instead of hanging the client", async () => {
    const server = await startLoopbackServer([
      {
        method: "GET",
        path: /^\/boom$/,
        handler: () => {
          throw new Error("stand-in bug");
        },
      },
    ]);
    try {
      const response = await fetch(`${server.baseUrl}/boom`);
      expect(response.status).toBe(500);
      expect(await response.text()).toContain("stand-in bug");
    } finally {
      await server.close();
    }
  });
});
