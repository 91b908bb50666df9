/**
 * How far each run of the CLI's import has got (chunks committed, in ordinal order), and the
 * chunks of later runs waiting for it (`chunkGates.ts`). `release` wakes every waiter for good:
 * an import that stopped on an error must not leave runs waiting on a run that will never
 * advance.
 */
import type { ModelName } from "../registry/types.ts";
import type { ChunkGate } from "./chunkGates.ts";

interface Waiter {
  readonly gate: ChunkGate;
  readonly wake: () => void;
}

export class RunFrontiers {
  readonly #committed = new Map<ModelName, number>();
  #waiters: Waiter[] = [];
  #released = false;

  /** One more chunk of `model`'s run has committed (or was found already imported). */
  advance(model: ModelName): void {
    this.#set(model, (this.#committed.get(model) ?? 0) + 1);
  }

  /** The run is done: whatever its chunk count, nothing needs to wait for it any more. */
  complete(model: ModelName): void {
    this.#set(model, Infinity);
  }

  /** Resolves once every gate is open, or at once after `release`. */
  async waitFor(gates: readonly ChunkGate[]): Promise<void> {
    for (const gate of gates) {
      if (!this.#open(gate)) {
        await new Promise<void>((wake) => this.#waiters.push({ gate, wake }));
      }
    }
  }

  release(): void {
    this.#released = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    waiters.forEach((waiter) => {
      waiter.wake();
    });
  }

  #open(gate: ChunkGate): boolean {
    return this.#released || (this.#committed.get(gate.model) ?? 0) >= gate.chunks;
  }

  #set(model: ModelName, committed: number): void {
    this.#committed.set(model, committed);
    const waiting: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (this.#open(waiter.gate)) {
        waiter.wake();
      } else {
        waiting.push(waiter);
      }
    }
    this.#waiters = waiting;
  }
}
