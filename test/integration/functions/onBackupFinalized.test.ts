import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRuntime } from "../../../functions/runtime.ts";
import "../../../functions/index.ts";
import { makeLocalKeyDecryptor } from "../../../lib/adapters/localKey.ts";
import { silentLogger } from "../../../lib/log.ts";
import { importUuidForObject } from "../../../lib/pipeline/identity.ts";
import { loadRun } from "../../../lib/pipeline/sql.ts";
import { openTestDatabase } from "../../support/db.ts";
import type { OpenedTestDatabase } from "../../support/db.ts";
import { MemoryBlobStore, MemoryQueue } from "../../support/memoryPorts.ts";
import {
  DEFAULT_PIPELINE_SETTINGS,
  TEST_PRIVATE_KEY,
  encryptForTests,
} from "../../support/pipelineHarness.ts";
import { generateExportText } from "../../support/synthetic/index.ts";

const QUEUE = "import-chunks";

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`);
    });
  });
}

function finalizeEvent(data: unknown): string {
  return JSON.stringify({
    specversion: "1.0",
    id: "event-1",
    type: "google.cloud.storage.object.v1.finalized",
    source: "//storage.googleapis.com/projects/_/buckets/backups",
    subject: "objects/backup.tar",
    time: "2026-11-25T00:00:00.000Z",
    datacontenttype: "application/json",
    data,
  });
}

describe("the onBackupFinalized function", () => {
  let database: OpenedTestDatabase;
  let blobs: MemoryBlobStore;
  let queue: MemoryQueue;
  const servers: Server[] = [];
  let eventUrl: string;
  let importUrl: string;

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    blobs = new MemoryBlobStore();
    queue = new MemoryQueue();
    useRuntime({
      // every backup counts as large here, so planning goes through a plan task
      config: { TASKS_QUEUE: QUEUE, planInlineMaxBytes: 0 },
      deps: {
        db: database.db,
        blobs,
        queue,
        decryptor: makeLocalKeyDecryptor(TEST_PRIVATE_KEY, "test key"),
        stagingBucket: "staging",
        settings: DEFAULT_PIPELINE_SETTINGS,
        log: silentLogger,
      },
    });
    const events = getTestServer("onBackupFinalized");
    const imports = getTestServer("importChunk");
    servers.push(events, imports);
    eventUrl = await listen(events);
    importUrl = await listen(imports);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await database.dispose();
  });

  async function sendEvent(data: unknown): Promise<number> {
    const response = await fetch(eventUrl, {
      method: "POST",
      headers: { "Content-Type": "application/cloudevents+json" },
      body: finalizeEvent(data),
    });
    await response.text();
    return response.status;
  }

  it("acknowledges a finalize event with an unreadable payload and starts nothing", async () => {
    expect(await sendEvent({ bucket: "backups" })).toBe(204);
    expect(queue.pending).toHaveLength(0);
    const { rows } = await database.db.query(
      "SELECT count(*)::int AS n FROM sentry_import.import_run",
    );
    expect(rows[0]?.["n"]).toBe(0);
  });

  it("hands a backup too large for the event's time limit to a plan task, which the HTTP function runs", async () => {
    const archive = await encryptForTests(
      Buffer.from(generateExportText({ seed: "plan-task", users: 5 }), "utf8"),
    );
    const { generation } = await blobs.putIfAbsent(
      { bucket: "backups", name: "backup.tar" },
      archive,
    );
    expect(
      await sendEvent({
        bucket: "backups",
        name: "backup.tar",
        generation,
        size: String(archive.length),
      }),
    ).toBe(204);
    expect(queue.pending.map((t) => (t.body as { kind: string }).kind)).toEqual(["plan"]);

    await queue.drain(async (body) => {
      const response = await fetch(importUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-CloudTasks-QueueName": QUEUE,
          "X-CloudTasks-TaskName": "task",
        },
        body: JSON.stringify(body),
      });
      await response.text();
      return response.status;
    });
    const run = await loadRun(
      database.db,
      importUuidForObject("backups", "backup.tar", generation),
    );
    expect(run?.status).toBe("completed");
  });
});
