/**
 * Writes the chunks of one run, up to `width` at once, and reports them committed in ordinal
 * order. Width 1 is §6.3 rule 3 as it stands: each chunk after the one before. A wider window is
 * for a run whose rows cannot collide with each other (`userRunIndependence.ts`); a chunk that
 * still meets something that needs order (`needsOrder`) makes the window narrow to 1 for good:
 * the chunks in flight finish, the ones sent back go again in ordinal order, and the rest of
 * the run follows one by one.
 */

/** How one delivery of a chunk ended, as the window needs to know it. */
export type ChunkAttempt = "committed" | "stopped" | "needsOrder";

/** Delivers `item`; `concurrentSiblings` says whether other chunks of the run may be in flight. */
export type AttemptChunk<T> = (item: T, concurrentSiblings: boolean) => Promise<ChunkAttempt>;

interface SentBack<T> {
  readonly index: number;
  readonly item: T;
}

export class ChunkWindow<T> {
  readonly #width: number;
  readonly #onCommittedInOrder: () => void;
  #inOrder: boolean;
  readonly #inFlight = new Set<Promise<void>>();
  #failure: { readonly error: unknown } | null = null;
  readonly #sentBack: SentBack<T>[] = [];
  /** committed chunks past the frontier, waiting for an earlier one */
  readonly #committed = new Set<number>();
  /** chunks 0 … frontier-1 have all committed */
  #frontier = 0;

  /**
   * @param onCommittedInOrder called once per chunk, in ordinal order, when it and every chunk
   *   before it have committed
   */
  constructor(width: number, onCommittedInOrder: () => void) {
    this.#width = Math.max(1, width);
    this.#inOrder = this.#width === 1;
    this.#onCommittedInOrder = onCommittedInOrder;
  }

  /**
   * Starts chunk `index` (0-based, ascending from call to call) once the window has room; in
   * order, returns when it has committed. Throws the first failure of any chunk.
   */
  async submit(index: number, item: T, attempt: AttemptChunk<T>): Promise<void> {
    await this.room();
    if (this.#inOrder) {
      await this.#settle(attempt);
      await this.#deliverInOrder(index, item, attempt);
      return;
    }
    this.#launch(index, item, attempt);
  }

  /** Resolves once a `submit` would start its chunk at once (or the window is in order). */
  async room(): Promise<void> {
    this.#throwIfFailed();
    while (!this.#inOrder && this.#inFlight.size >= this.#width) {
      await Promise.race(this.#inFlight);
      this.#throwIfFailed();
    }
  }

  /** After the last `submit`: waits for every chunk, sent-back ones included. */
  async finish(attempt: AttemptChunk<T>): Promise<void> {
    await this.#settle(attempt);
  }

  /** After a failure elsewhere: waits for the chunks in flight, and ignores how they end. */
  async abandon(): Promise<void> {
    while (this.#inFlight.size > 0) {
      await Promise.all(this.#inFlight);
    }
  }

  #launch(index: number, item: T, attempt: AttemptChunk<T>): void {
    const task = (async () => {
      try {
        const result = await attempt(item, true);
        if (result === "needsOrder") {
          this.#inOrder = true;
          this.#sentBack.push({ index, item });
        } else if (result === "committed") {
          this.#markCommitted(index);
        }
      } catch (error) {
        this.#failure ??= { error };
      }
    })();
    this.#inFlight.add(task);
    void task.then(() => this.#inFlight.delete(task));
  }

  /** Lets the chunks in flight end, then delivers the sent-back ones in ordinal order. */
  async #settle(attempt: AttemptChunk<T>): Promise<void> {
    await this.abandon();
    this.#throwIfFailed();
    const sentBack = this.#sentBack.splice(0).sort((a, b) => a.index - b.index);
    for (const { index, item } of sentBack) {
      await this.#deliverInOrder(index, item, attempt);
    }
  }

  async #deliverInOrder(index: number, item: T, attempt: AttemptChunk<T>): Promise<void> {
    const result = await attempt(item, false);
    if (result === "needsOrder") {
      throw new Error("a chunk delivered in order cannot ask for order");
    }
    if (result === "committed") {
      this.#markCommitted(index);
    }
  }

  #markCommitted(index: number): void {
    this.#committed.add(index);
    while (this.#committed.delete(this.#frontier)) {
      this.#frontier += 1;
      this.#onCommittedInOrder();
    }
  }

  #throwIfFailed(): void {
    if (this.#failure !== null) {
      throw this.#failure.error;
    }
  }
}
