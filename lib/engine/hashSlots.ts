/**
 * Compact sets of strings for the plan pass: each string is kept as a 53-bit hash in an
 * open-addressing table of typed arrays (nothing on the V8 heap), with integer columns per slot.
 * Two strings with one hash read as one: callers use it where a false repeat only costs speed.
 */

const EMPTY = -1;
const INITIAL_SLOTS = 1024;
const KEY_BYTES = Float64Array.BYTES_PER_ELEMENT;
const COLUMN_BYTES = Int32Array.BYTES_PER_ELEMENT;

/** A table's keys and columns, all views of one buffer. */
interface Arrays {
  readonly keys: Float64Array;
  readonly columns: readonly Int32Array[];
}

/**
 * One allocation for the keys and every column: each growth then asks for more than the table it
 * frees, which glibc maps afresh and unmaps when freed. Separate column arrays, half the size of
 * the keys, could come from glibc's heap instead once freeing a grown table had raised its mmap
 * threshold, and stay resident after the tables were released: about 13 MB beyond the V8 heap
 * stayed after a million users' tables, not measured apart from the address lists of change 26
 * in bench/PERFORMANCE.md.
 */
function allocate(slots: number, columns: number): Arrays {
  const buffer = new ArrayBuffer(slots * (KEY_BYTES + columns * COLUMN_BYTES));
  const keys = new Float64Array(buffer, 0, slots).fill(EMPTY);
  return {
    keys,
    columns: Array.from(
      { length: columns },
      (_, c) => new Int32Array(buffer, slots * (KEY_BYTES + c * COLUMN_BYTES), slots),
    ),
  };
}

/**
 * An open-addressing table of 53-bit keys with per-slot integer columns, rehashed together as it
 * grows (at most three quarters full).
 */
export class HashSlots {
  readonly #columnCount: number;
  #arrays: Arrays;
  #size = 0;

  constructor(columns: number) {
    this.#columnCount = columns;
    this.#arrays = allocate(INITIAL_SLOTS, columns);
  }

  /**
   * Frees the table's memory now (the table is empty afterwards). Left to the garbage collector,
   * a million users' tables stayed resident into the import, on top of its chunks.
   */
  release(): void {
    freeNow(this.#arrays.keys);
    this.#arrays = allocate(INITIAL_SLOTS, this.#columnCount);
    this.#size = 0;
  }

  /** The slot of `key`, or -1. */
  find(key: number): number {
    const slot = this.#probe(key);
    return this.#arrays.keys[slot] === key ? slot : -1;
  }

  /** The slot of `key`, added (its columns zero) if absent. */
  add(key: number): number {
    if ((this.#size + 1) * 4 > this.#arrays.keys.length * 3) {
      this.#grow();
    }
    const slot = this.#probe(key);
    const { keys } = this.#arrays;
    if (keys[slot] !== key) {
      keys[slot] = key;
      this.#size += 1;
    }
    return slot;
  }

  /** Calls `fn` with each key in the table and its slot. */
  forEach(fn: (key: number, slot: number) => void): void {
    this.#arrays.keys.forEach((key, slot) => {
      if (key !== EMPTY) {
        fn(key, slot);
      }
    });
  }

  column(index: number): Int32Array {
    const column = this.#arrays.columns[index];
    if (column === undefined) {
      throw new RangeError(`no column ${String(index)}`);
    }
    return column;
  }

  #probe(key: number): number {
    const { keys } = this.#arrays;
    const mask = keys.length - 1;
    let slot = key % keys.length;
    for (;;) {
      const at = keys[slot];
      if (at === EMPTY || at === key) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  #grow(): void {
    const old = this.#arrays;
    this.#arrays = allocate(old.keys.length * 2, this.#columnCount);
    this.#size = 0;
    old.keys.forEach((key, from) => {
      if (key !== EMPTY) {
        const to = this.add(key);
        old.columns.forEach((column, c) => {
          this.column(c)[to] = column[from] ?? 0;
        });
      }
    });
    freeNow(old.keys);
  }
}

/**
 * Releases an array's memory at once (the whole buffer, with every view of it): transferring its
 * buffer to length 0 detaches it, and V8 frees the old backing store then, not at the next full
 * collection. A Node without `ArrayBuffer.prototype.transfer` (before 21) leaves it to the
 * collector.
 */
function freeNow(array: Float64Array): void {
  // typed as always there (ES2024), but absent from an older Node
  const buffer = array.buffer as Partial<Pick<ArrayBuffer, "transfer">>;
  buffer.transfer?.(0);
}
