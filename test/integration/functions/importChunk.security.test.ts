import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRuntime } from "../../../functions/runtime.ts";
import "../../../functions/index.ts";
import { makeLocalKeyDecryptor } from "../../../lib/adapters/localKey.ts";
import { silentLogger } from "../../../lib/log.ts";
import { openTestDatabase } from "../../support/db.ts";
import type { OpenedTestDatabase } from "../../support/db.ts";
import { MemoryBlobStore, MemoryQueue } from "../../support/memoryPorts.ts";
import { DEFAULT_PIPELINE_SETTINGS, TEST_PRIVATE_KEY } from "../../support/pipelineHarness.ts";
import { snapshotByNaturalKeys } from "../../support/snapshot.ts";

const QUEUE = "import-chunks";
const TASK_HEADERS = {
  "X-CloudTasks-QueueName": QUEUE,
  "X-CloudTasks-TaskName": "abc-sentry-user-1",
  "Content-Type": "application/json",
};
const VALID_BODY = {
  kind: "chunk",
  importUuid: "2f0b8c3e-5d6a-4b7c-9e1f-0a2b3c4d5e6f",
  model: "sentry.user",
  minOrdinal: 1,
  object: "imports/2f0b8c3e-5d6a-4b7c-9e1f-0a2b3c4d5e6f/chunks/sentry.user/0000000001.fernet",
};

describe("the importChunk function", () => {
  let database: OpenedTestDatabase;
  let server: Server;
  let url: string;
  let empty: Record<string, unknown[]>;

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    useRuntime({
      config: { TASKS_QUEUE: QUEUE, planInlineMaxBytes: Number.MAX_SAFE_INTEGER },
      deps: {
        db: database.db,
        blobs: new MemoryBlobStore(),
        queue: new MemoryQueue(),
        decryptor: makeLocalKeyDecryptor(TEST_PRIVATE_KEY, "test key"),
        stagingBucket: "staging",
        settings: DEFAULT_PIPELINE_SETTINGS,
        log: silentLogger,
      },
    });
    server = getTestServer("importChunk");
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`;
    empty = await snapshotByNaturalKeys(database.db);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await database.dispose();
  });

  async function post(headers: Record<string, string>, body: string): Promise<number> {
    const response = await fetch(url, { method: "POST", headers, body });
    await response.text();
    return response.status;
  }

  it("refuses a request without the Cloud Tasks headers and writes nothing", async () => {
    expect(await post({ "Content-Type": "application/json" }, JSON.stringify(VALID_BODY))).toBe(
      403,
    );
    expect(await snapshotByNaturalKeys(database.db)).toEqual(empty);
  });

  it("refuses a task from another queue", async () => {
    const headers = { ...TASK_HEADERS, "X-CloudTasks-QueueName": "someone-elses-queue" };
    expect(await post(headers, JSON.stringify(VALID_BODY))).toBe(403);
  });

  it("refuses a malformed body with 400 and writes nothing", async () => {
    expect(await post(TASK_HEADERS, "{not json")).toBe(400);
    expect(await post(TASK_HEADERS, JSON.stringify({ ...VALID_BODY, minOrdinal: 0 }))).toBe(400);
    expect(await post(TASK_HEADERS, JSON.stringify({ ...VALID_BODY, rows: [] }))).toBe(400);
    expect(await post(TASK_HEADERS, JSON.stringify({ ...VALID_BODY, model: "Sentry.User" }))).toBe(
      400,
    );
    expect(await snapshotByNaturalKeys(database.db)).toEqual(empty);
  });

  it("acknowledges a task of an import it does not know, and writes nothing", async () => {
    expect(await post(TASK_HEADERS, JSON.stringify(VALID_BODY))).toBe(200);
    expect(await snapshotByNaturalKeys(database.db)).toEqual(empty);
  });
});
