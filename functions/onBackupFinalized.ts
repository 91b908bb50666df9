/** CloudEvent function: a backup object was finalized in the backups bucket. */
import { cloudEvent } from "@google-cloud/functions-framework";
import type { CloudEvent } from "@google-cloud/functions-framework";
import { handleFinalizedBackup } from "../lib/pipeline/onBackup.ts";
import { FINALIZED_EVENT_TYPE, storageObjectDataSchema } from "../lib/pipeline/storageEvent.ts";
import { functionRuntime } from "./runtime.ts";

export async function onBackupFinalized(event: CloudEvent<unknown>): Promise<void> {
  const { deps, config } = await functionRuntime();
  if (event.type !== FINALIZED_EVENT_TYPE) {
    deps.log("WARNING", `ignored an event of type ${event.type}`);
    return;
  }
  const data = storageObjectDataSchema.safeParse(event.data);
  if (!data.success) {
    // a malformed event never becomes valid: acknowledge it rather than retry for 24 h
    deps.log("ERROR", "ignored a finalize event with an unreadable payload", {
      issues: data.error.issues.map((i) => i.message),
    });
    return;
  }
  const { bucket, name, generation, size } = data.data;
  if (size !== undefined && Number(size) > config.planInlineMaxBytes) {
    await deps.queue.enqueue({
      id: `plan-${bucket.replaceAll(/[^A-Za-z0-9_-]/g, "-")}-${generation}`,
      body: { kind: "plan", bucket, name, generation },
    });
    deps.log("INFO", "large backup: planning handed to a task", { bucket, generation });
    return;
  }
  // a transient failure throws: the framework answers 500 and Eventarc retries
  await handleFinalizedBackup(deps, { bucket, name, generation });
}

cloudEvent("onBackupFinalized", onBackupFinalized);
