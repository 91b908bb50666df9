/**
 * Runs the serverless pipeline's handlers in-process: the backup in an in-memory bucket, the
 * finalize event handed to `handleFinalizedBackup` (optionally twice, concurrently), and the
 * queue drained through `handleChunkTask` with the HTTP status mapping of functions/importChunk.
 */
import { generateKeyPairSync } from "node:crypto";
import { makeLocalKeyDecryptor, makeLocalPublicKeyProvider } from "../../lib/adapters/localKey.ts";
import type { ImportSettings } from "../../lib/engine/importOptions.ts";
import { bufferSource, collectBytes } from "../../lib/format/byteSources.ts";
import { encryptedBackupStream } from "../../lib/format/writeBackup.ts";
import { silentLogger } from "../../lib/log.ts";
import type { Logger } from "../../lib/log.ts";
import type { PipelineDeps } from "../../lib/pipeline/deps.ts";
import { handleFinalizedBackup, isTransient } from "../../lib/pipeline/onBackup.ts";
import type { BackupOutcome } from "../../lib/pipeline/onBackup.ts";
import { handleChunkTask } from "../../lib/pipeline/onChunkTask.ts";
import { chunkTaskBodySchema } from "../../lib/pipeline/taskBody.ts";
import type { Database } from "../../lib/ports.ts";
import { MemoryBlobStore, MemoryQueue } from "./memoryPorts.ts";
import type { ChaosOptions } from "./memoryPorts.ts";

const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export const TEST_PRIVATE_KEY = keys.privateKey;
export const TEST_PUBLIC_KEY = keys.publicKey;

export async function encryptForTests(plaintext: Uint8Array): Promise<Buffer> {
  return collectBytes(
    await encryptedBackupStream(
      { plaintext: bufferSource(plaintext), plaintextLength: plaintext.byteLength },
      makeLocalPublicKeyProvider(TEST_PUBLIC_KEY, "test public key"),
    ),
  );
}

export const DEFAULT_PIPELINE_SETTINGS: ImportSettings = {
  scope: "Config",
  chunkSize: 5,
  flags: { mergeUsers: false, overwriteConfigs: false, passwordMode: { kind: "unusable" } },
  usernameFilter: null,
};

export interface PipelineRun {
  readonly outcomes: readonly BackupOutcome[];
  readonly blobs: MemoryBlobStore;
  readonly queue: MemoryQueue;
  readonly deps: PipelineDeps;
}

export async function runPipeline(
  db: Database,
  archive: Uint8Array,
  options: {
    readonly settings?: ImportSettings;
    readonly chaos?: ChaosOptions;
    readonly duplicateEvent?: boolean;
    readonly log?: Logger;
  } = {},
): Promise<PipelineRun> {
  const blobs = new MemoryBlobStore();
  const queue = new MemoryQueue();
  const deps: PipelineDeps = {
    db,
    blobs,
    queue,
    decryptor: makeLocalKeyDecryptor(TEST_PRIVATE_KEY, "test private key"),
    stagingBucket: "staging",
    settings: options.settings ?? DEFAULT_PIPELINE_SETTINGS,
    log: options.log ?? silentLogger,
  };
  const { generation } = await blobs.putIfAbsent(
    { bucket: "backups", name: "backup.tar" },
    archive,
  );
  const event = { bucket: "backups", name: "backup.tar", generation };
  const deliver = async (): Promise<BackupOutcome> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await handleFinalizedBackup(deps, event);
      } catch (error) {
        // Eventarc retries a thrown (transient) failure
        if (!isTransient(error) || attempt > 200) {
          throw error;
        }
        // Eventarc backs off before redelivering
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const outcomes = await Promise.all(
    options.duplicateEvent === true ? [deliver(), deliver()] : [deliver()],
  );
  await queue.drain(async (raw) => {
    const body = chunkTaskBodySchema.safeParse(raw);
    if (!body.success) {
      return 400;
    }
    try {
      const answer = await handleChunkTask(deps, body.data);
      return answer.kind === "retry" ? 503 : 200;
    } catch (error) {
      return isTransient(error) ? 503 : 500;
    }
  }, options.chaos);
  return { outcomes, blobs, queue, deps };
}
