/**
 * In-memory adapters of the BlobStore and ChunkQueue ports, for fast pipeline tests. (The real
 * clients are exercised against the loopback stand-ins elsewhere; these only stand in for the
 * ports.) The queue delivers with Cloud Tasks' weaknesses on demand, from a seed: duplicated,
 * reordered and concurrent deliveries.
 */
import { createHash } from "node:crypto";
import { BlobNotFoundError } from "../../lib/errors.ts";
import { seededRandom } from "../../lib/emulator/faults.ts";
import type { BlobRef, BlobStore, ChunkQueue, QueuedTask } from "../../lib/ports.ts";

export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, { bytes: Buffer; generation: string }>();
  #generation = 1_700_000_000_000_000;

  #key(bucket: string, name: string): string {
    return `${bucket}/${name}`;
  }

  async *read(ref: BlobRef): AsyncIterable<Uint8Array> {
    const object = this.objects.get(this.#key(ref.bucket, ref.name));
    if (
      object === undefined ||
      (ref.generation !== undefined && ref.generation !== object.generation)
    ) {
      throw new BlobNotFoundError(`gs://${ref.bucket}/${ref.name} not found`);
    }
    await Promise.resolve();
    for (let i = 0; i < object.bytes.length; i += 64 * 1024) {
      yield object.bytes.subarray(i, i + 64 * 1024);
    }
  }

  putIfAbsent(
    ref: Omit<BlobRef, "generation">,
    bytes: Uint8Array,
  ): Promise<{ created: boolean; generation: string }> {
    const key = this.#key(ref.bucket, ref.name);
    const existing = this.objects.get(key);
    if (existing !== undefined) {
      return Promise.resolve({ created: false, generation: existing.generation });
    }
    this.#generation += 1;
    const generation = String(this.#generation);
    this.objects.set(key, { bytes: Buffer.from(bytes), generation });
    return Promise.resolve({ created: true, generation });
  }

  /** Every object's bytes under a prefix (for checks such as "no plaintext at rest"). */
  contents(bucket: string, prefix = ""): Buffer[] {
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(`${bucket}/${prefix}`))
      .map(([, object]) => object.bytes);
  }
}

export { seededRandom };

export interface ChaosOptions {
  readonly seed: number;
  /** probability that a delivery is repeated (possibly concurrently) */
  readonly duplicate: number;
  /** deliver pending tasks in random order instead of FIFO */
  readonly reorder: boolean;
  /** probability that a delivery's answer is "lost" (treated as failed and redelivered) */
  readonly loseAnswer: number;
}

export type TaskHandler = (body: unknown, delivery: { attempt: number }) => Promise<number>;

/** A queue with Cloud Tasks' de-duplication by name and at-least-once delivery. */
export class MemoryQueue implements ChunkQueue {
  readonly #names = new Set<string>();
  readonly pending: QueuedTask[] = [];
  readonly delivered: { id: string; status: number }[] = [];

  enqueue(task: QueuedTask): Promise<"created" | "alreadyExists"> {
    if (this.#names.has(task.id)) {
      return Promise.resolve("alreadyExists");
    }
    this.#names.add(task.id);
    this.pending.push(task);
    return Promise.resolve("created");
  }

  /** Delivers until the queue is empty; non-2xx answers are retried, up to `maxAttempts`. */
  async drain(handler: TaskHandler, chaos?: ChaosOptions, maxAttempts = 20): Promise<void> {
    const random = seededRandom(chaos?.seed ?? 1);
    const attempts = new Map<string, number>();
    while (this.pending.length > 0) {
      const index = chaos?.reorder === true ? Math.floor(random() * this.pending.length) : 0;
      const [task] = this.pending.splice(index, 1);
      if (task === undefined) {
        break;
      }
      const attempt = (attempts.get(task.id) ?? 0) + 1;
      attempts.set(task.id, attempt);
      const copies = chaos !== undefined && random() < chaos.duplicate ? 2 : 1;
      const statuses = await Promise.all(
        Array.from({ length: copies }, () => handler(task.body, { attempt })),
      );
      const lost = chaos !== undefined && random() < chaos.loseAnswer;
      const ok = statuses.some((s) => s >= 200 && s < 300) && !lost;
      for (const status of statuses) {
        this.delivered.push({ id: task.id, status });
      }
      if (!ok) {
        if (attempt >= maxAttempts) {
          throw new Error(`task ${task.id} failed ${String(attempt)} times`);
        }
        this.pending.push(task);
      }
    }
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
