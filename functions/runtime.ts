/**
 * The functions' dependencies, built lazily once per instance from the environment (Cloud
 * Functions "lazy globals"), or injected by `sentry-import emulate`.
 */
import { makeCloudTasksQueue, makeTasksClient } from "../lib/adapters/cloudTasks.ts";
import { makeGcsBlobStore, makeStorageClient } from "../lib/adapters/gcs.ts";
import { makeKmsClient, makeKmsKeyDecryptor } from "../lib/adapters/kms.ts";
import { makePgDatabase } from "../lib/adapters/pg/database.ts";
import { loadConfig } from "../lib/config.ts";
import type { Config } from "../lib/config.ts";
import type { KmsKeyVersionName } from "../lib/format/kmsConfig.ts";
import { makeJsonLogger } from "../lib/log.ts";
import { migrate } from "../lib/migrations/index.ts";
import type { PipelineDeps } from "../lib/pipeline/deps.ts";

export interface FunctionRuntime {
  readonly deps: PipelineDeps;
  readonly config: Pick<Config, "TASKS_QUEUE"> & { readonly planInlineMaxBytes: number };
}

/** Backups above this size are planned by a task (1800 s) rather than the event (540 s). */
const PLAN_INLINE_MAX_BYTES = 256 * 1024 * 1024;

async function fromEnvironment(): Promise<FunctionRuntime> {
  const config = loadConfig(process.env);
  const db = makePgDatabase(config.DATABASE_URL);
  await migrate(db);
  const tasksClient = makeTasksClient(
    config.TASKS_API_ENDPOINT === undefined ? {} : { endpoint: config.TASKS_API_ENDPOINT },
  );
  return {
    config: { TASKS_QUEUE: config.TASKS_QUEUE, planInlineMaxBytes: PLAN_INLINE_MAX_BYTES },
    deps: {
      db,
      blobs: makeGcsBlobStore(
        makeStorageClient(
          config.STORAGE_API_ENDPOINT === undefined
            ? {}
            : { apiEndpoint: config.STORAGE_API_ENDPOINT },
        ),
      ),
      queue: makeCloudTasksQueue({
        client: tasksClient,
        project: config.TASKS_PROJECT,
        location: config.TASKS_LOCATION,
        queue: config.TASKS_QUEUE,
        targetUrl: config.IMPORT_CHUNK_URL,
        // Cloud Tasks' maximum: just above importChunk's 1770 s timeout, so a slow chunk or plan
        // task is not dispatched again while its first attempt still runs
        dispatchDeadlineSeconds: 1800,
        ...(config.TASKS_SERVICE_ACCOUNT === undefined
          ? {}
          : { serviceAccountEmail: config.TASKS_SERVICE_ACCOUNT }),
        ...(config.TASKS_AUDIENCE === undefined ? {} : { audience: config.TASKS_AUDIENCE }),
      }),
      decryptor: makeKmsKeyDecryptor(
        makeKmsClient(
          config.KMS_API_ENDPOINT === undefined ? {} : { endpoint: config.KMS_API_ENDPOINT },
        ),
        config.KMS_KEY_VERSION as KmsKeyVersionName,
      ),
      stagingBucket: config.STAGING_BUCKET,
      settings: {
        scope: config.IMPORT_SCOPE === "users" ? "User" : "Config",
        chunkSize: config.CHUNK_SIZE,
        flags: {
          mergeUsers: config.MERGE_USERS,
          overwriteConfigs: config.OVERWRITE_CONFIGS,
          passwordMode: { kind: "unusable" },
        },
        usernameFilter: null,
      },
      log: makeJsonLogger((line) => process.stdout.write(line)),
    },
  };
}

let runtime: Promise<FunctionRuntime> | undefined;

export function functionRuntime(): Promise<FunctionRuntime> {
  runtime ??= fromEnvironment().catch((error: unknown) => {
    // a failed start (bad config, database down) is retried on the next request
    runtime = undefined;
    throw error;
  });
  return runtime;
}

/** For the emulator and tests: run the functions on these dependencies instead. */
export function useRuntime(injected: FunctionRuntime): void {
  runtime = Promise.resolve(injected);
}
