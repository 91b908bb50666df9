/**
 * `sentry-import emulate`: the serverless path on one machine. Loopback stand-ins of Cloud
 * Storage, Cloud KMS and Cloud Tasks; both functions under functions-framework's test servers,
 * talking to the stand-ins through the real Google clients; the backup uploaded through the
 * Storage client, its finalize CloudEvent delivered to `onBackupFinalized` (Eventarc's retries
 * included), the tasks dispatched to `importChunk` until the run ends.
 *
 * With a chaos seed the same run is made hostile, reproducibly: the finalize event is delivered
 * twice, task deliveries are duplicated, reordered and have their answers lost, and chunk
 * transactions fail part-way with transient database errors.
 */
import { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import { makeCloudTasksQueue, makeTasksClient } from "../lib/adapters/cloudTasks.ts";
import { makeGcsBlobStore, makeStorageClient } from "../lib/adapters/gcs.ts";
import { makeKmsClient, makeKmsKeyDecryptor } from "../lib/adapters/kms.ts";
import { withInjectedFaults } from "../lib/emulator/faults.ts";
import { startGcsStandin, storageFinalizeCloudEvent } from "../lib/emulator/standins/gcs.ts";
import type { StorageObjectData } from "../lib/emulator/standins/gcs.ts";
import { startKmsStandin } from "../lib/emulator/standins/kms.ts";
import { startTasksStandin } from "../lib/emulator/standins/tasks.ts";
import type { KmsKeyVersionName } from "../lib/format/kmsConfig.ts";
import type { Logger } from "../lib/log.ts";
import type { ImportSettings } from "../lib/engine/importOptions.ts";
import { loadRun } from "../lib/pipeline/sql.ts";
import type { PipelineRun } from "../lib/pipeline/sql.ts";
import type { Database } from "../lib/ports.ts";
import { importUuidForObject } from "../lib/pipeline/identity.ts";
import type { ImportUuid } from "../lib/ledger/key.ts";
import { useRuntime } from "../functions/runtime.ts";
import "../functions/index.ts";

const PROJECT = "emulated-project";
const LOCATION = "local";
const QUEUE = "import-chunks";
const BACKUPS = "sentry-backups";
const STAGING = "sentry-import-staging";
const KEY_VERSION = `projects/${PROJECT}/locations/global/keyRings/sentry-import/cryptoKeys/backups/cryptoKeyVersions/1`;

export interface EmulateOptions {
  /** the encrypted backup's bytes */
  readonly archive: Uint8Array;
  /** the RSA private key (PEM) the archive was encrypted for; held by the KMS stand-in */
  readonly privateKeyPem: string;
  readonly objectName: string;
  readonly database: Database;
  readonly settings: ImportSettings;
  readonly chaosSeed: number | null;
  readonly log: Logger;
  /** progress lines for people (stderr) */
  readonly say: (line: string) => void;
}

export interface EmulateResult {
  readonly importUuid: ImportUuid;
  readonly run: PipelineRun | null;
  readonly counts: unknown;
  readonly findings: unknown;
  readonly deliveries: number;
  readonly duplicateDeliveries: number;
  readonly eventDeliveries: number;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${String(port)}/`);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}

/** Eventarc's side: POST the CloudEvent; retry (with backoff) while the function fails. */
async function deliverEvent(
  url: string,
  object: StorageObjectData,
  say: (line: string) => void,
): Promise<void> {
  const event = storageFinalizeCloudEvent(object);
  for (let attempt = 1; attempt <= 30; attempt += 1) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/cloudevents+json" },
      body: JSON.stringify(event),
    });
    if (response.ok) {
      return;
    }
    say(
      `  finalize event answered ${String(response.status)}; Eventarc retries it (attempt ${String(attempt)})`,
    );
    await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt)));
  }
  throw new Error("the finalize event was never accepted");
}

export async function emulate(options: EmulateOptions): Promise<EmulateResult> {
  // the Storage client stacks a few listeners per download on shared streams; many concurrent
  // chunk reads in one process exceed Node's default of 10 and only trigger a noisy warning
  EventEmitter.defaultMaxListeners = Math.max(EventEmitter.defaultMaxListeners, 100);
  const { say } = options;
  const chaos = options.chaosSeed;
  const gcs = await startGcsStandin({ buckets: [BACKUPS, STAGING] });
  const kms = await startKmsStandin();
  const tasks = await startTasksStandin({
    // Cloud Tasks' backoff, a thousand times faster
    timeScale: 0.001,
    ...(chaos === null
      ? {}
      : { chaos: { seed: chaos, duplicateRate: 0.3, dropResponseRate: 0.1, maxJitterMs: 20 } }),
  });
  kms.addKey(KEY_VERSION, options.privateKeyPem);
  const importServer = getTestServer("importChunk");
  const eventServer = getTestServer("onBackupFinalized");
  const importUrl = await listen(importServer);
  const eventUrl = await listen(eventServer);
  say(
    `stand-ins: storage ${gcs.apiEndpoint}, kms 127.0.0.1:${String(kms.endpoint.port)}, tasks 127.0.0.1:${String(tasks.endpoint.port)}`,
  );
  say(`functions: onBackupFinalized ${eventUrl}, importChunk ${importUrl}`);

  const storage = makeStorageClient({ apiEndpoint: gcs.apiEndpoint, projectId: PROJECT });
  const tasksClient = makeTasksClient({ endpoint: tasks.endpoint });
  const kmsClient = makeKmsClient({ endpoint: kms.endpoint });
  useRuntime({
    config: { TASKS_QUEUE: QUEUE, planInlineMaxBytes: Number.MAX_SAFE_INTEGER },
    deps: {
      db: chaos === null ? options.database : withInjectedFaults(options.database, chaos, 0.03),
      blobs: makeGcsBlobStore(storage),
      queue: makeCloudTasksQueue({
        client: tasksClient,
        project: PROJECT,
        location: LOCATION,
        queue: QUEUE,
        targetUrl: importUrl,
      }),
      decryptor: makeKmsKeyDecryptor(kmsClient, KEY_VERSION as KmsKeyVersionName),
      stagingBucket: STAGING,
      settings: options.settings,
      log: options.log,
    },
  });

  let eventDeliveries = 0;
  const events: Promise<void>[] = [];
  gcs.onFinalize((object) => {
    if (object.bucket !== BACKUPS) {
      return;
    }
    const copies = chaos === null ? 1 : 2;
    for (let i = 0; i < copies; i += 1) {
      eventDeliveries += 1;
      events.push(deliverEvent(eventUrl, object, say));
    }
  });

  try {
    say(`uploading the backup to gs://${BACKUPS}/${options.objectName}`);
    const [metadata] = await storage
      .bucket(BACKUPS)
      .file(options.objectName)
      .save(Buffer.from(options.archive), { resumable: false, contentType: "application/x-tar" })
      .then(() => storage.bucket(BACKUPS).file(options.objectName).getMetadata());
    const generation = String(metadata.generation ?? "");
    const importUuid = importUuidForObject(BACKUPS, options.objectName, generation);
    say(`import ${importUuid} (gs://${BACKUPS}/${options.objectName}#${generation})`);

    // events first (they enqueue the first tasks), then tasks until the queue is quiet and the
    // run has ended; a planning redelivery may enqueue again, so loop until both hold
    let run: PipelineRun | null = null;
    for (let round = 0; round < 1000; round += 1) {
      await Promise.all(events);
      await tasks.waitUntilIdle();
      run = await loadRun(options.database, importUuid);
      if (run?.status === "completed" || run?.status === "failed") {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const { rows } = await options.database.query(
      "SELECT counts, findings FROM sentry_import.import_run WHERE import_uuid = $1::uuid",
      [importUuid],
    );
    return {
      importUuid,
      run,
      counts: rows[0]?.["counts"] ?? null,
      findings: rows[0]?.["findings"] ?? [],
      deliveries: tasks.counters.attempts,
      duplicateDeliveries: tasks.counters.duplicates,
      eventDeliveries,
    };
  } finally {
    await Promise.allSettled(events);
    await close(importServer);
    await close(eventServer);
    await Promise.allSettled([tasksClient.close(), kmsClient.close()]);
    await tasks.close();
    await kms.close();
    await gcs.close();
  }
}
