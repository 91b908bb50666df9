/**
 * HTTP function, the target of the Cloud Tasks queue. Refuses requests without Cloud Tasks'
 * headers or with a malformed body (writing nothing), runs the task, and maps the outcome to a
 * status in one place: only transient failures answer 5xx, since Cloud Tasks retries any non-2xx.
 */
import { http } from "@google-cloud/functions-framework";
import type { Request, Response } from "@google-cloud/functions-framework";
import { handleFinalizedBackup, isTransient } from "../lib/pipeline/onBackup.ts";
import { handleChunkTask } from "../lib/pipeline/onChunkTask.ts";
import type { TaskAnswer } from "../lib/pipeline/onChunkTask.ts";
import { taskBodySchema } from "../lib/pipeline/taskBody.ts";
import { functionRuntime } from "./runtime.ts";

function answer(res: Response, status: number, body: Record<string, unknown>): void {
  res.status(status).json(body);
}

function statusOf(result: TaskAnswer): number {
  switch (result.kind) {
    case "done":
    case "ignored":
    case "rejected":
      return 200;
    case "retry":
      return 503;
  }
}

export async function importChunk(req: Request, res: Response): Promise<void> {
  const { deps, config } = await functionRuntime();
  const queue = req.get("X-CloudTasks-QueueName");
  const task = req.get("X-CloudTasks-TaskName");
  if (queue === undefined || task === undefined || queue !== config.TASKS_QUEUE) {
    deps.log("WARNING", "refused a request that did not come from the import queue");
    answer(res, 403, { error: "only the import queue's tasks may call this function" });
    return;
  }
  const body = taskBodySchema.safeParse(req.body);
  if (!body.success) {
    deps.log("ERROR", "refused a task with a malformed body", { task });
    answer(res, 400, { error: "malformed task body" });
    return;
  }
  try {
    if (body.data.kind === "plan") {
      const outcome = await handleFinalizedBackup(deps, body.data);
      answer(res, 200, { outcome: outcome.kind });
      return;
    }
    const result = await handleChunkTask(deps, body.data);
    answer(res, statusOf(result), { outcome: result.kind });
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log(isTransient(error) ? "WARNING" : "ERROR", `task failed: ${message}`, { task });
    answer(res, isTransient(error) ? 503 : 500, { error: "task failed" });
  }
}

http("importChunk", importChunk);
