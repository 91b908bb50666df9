/**
 * Compact sets of strings for the plan pass: each string is kept as a 53-bit hash in an
 * open-addressing table of typed arrays (nothing on the V8 heap), with integer columns per slot.
 * Two strings with one hash read as one: callers use it where a false repeat only costs speed.
 */

/** Two 32-bit FNV-1a-style lanes over UTF-16 code units, folded into 53 bits. */
export function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

const EMPTY = -1;
const INITIAL_SLOTS = 1024;

/**
 * An open-addressing table of 53-bit keys with per-slot integer columns, rehashed together as it
 * grows (at most three quarters full).
 */
export class HashSlots {
  #keys = new Float64Array(INITIAL_SLOTS).fill(EMPTY);
  #columns: Int32Array[];
  #size = 0;

  constructor(columns: number) {
    this.#columns = Array.from({ length: columns }, () => new Int32Array(INITIAL_SLOTS));
  }

  /**
   * Frees the table's memory now (the table is empty afterwards). Left to the garbage collector,
   * a million users' tables stayed resident into the import, on top of its chunks.
   */
  release(): void {
    freeNow(this.#keys);
    this.#columns.forEach(freeNow);
    this.#keys = new Float64Array(INITIAL_SLOTS).fill(EMPTY);
    this.#columns = this.#columns.map(() => new Int32Array(INITIAL_SLOTS));
    this.#size = 0;
  }

  /** The slot of `key`, or -1. */
  find(key: number): number {
    const slot = this.#probe(key);
    return this.#keys[slot] === key ? slot : -1;
  }

  /** The slot of `key`, added (its columns zero) if absent. */
  add(key: number): number {
    if ((this.#size + 1) * 4 > this.#keys.length * 3) {
      this.#grow();
    }
    const slot = this.#probe(key);
    if (this.#keys[slot] !== key) {
      this.#keys[slot] = key;
      this.#size += 1;
    }
    return slot;
  }

  column(index: number): Int32Array {
    const column = this.#columns[index];
    if (column === undefined) {
      throw new RangeError(`no column ${String(index)}`);
    }
    return column;
  }

  #probe(key: number): number {
    const mask = this.#keys.length - 1;
    let slot = key % this.#keys.length;
    for (;;) {
      const at = this.#keys[slot];
      if (at === EMPTY || at === key) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  #grow(): void {
    const keys = this.#keys;
    const columns = this.#columns;
    this.#keys = new Float64Array(keys.length * 2).fill(EMPTY);
    this.#columns = columns.map(() => new Int32Array(keys.length * 2));
    this.#size = 0;
    keys.forEach((key, from) => {
      if (key !== EMPTY) {
        const to = this.add(key);
        columns.forEach((column, c) => {
          this.column(c)[to] = column[from] ?? 0;
        });
      }
    });
    freeNow(keys);
    columns.forEach(freeNow);
  }
}

/**
 * Releases an array's memory at once: transferring its buffer to length 0 detaches it, and
 * V8 frees the old backing store then, not at the next full collection. A Node without
 * `ArrayBuffer.prototype.transfer` (before 21) leaves it to the collector.
 */
function freeNow(array: Float64Array | Int32Array): void {
  // typed as always there (ES2024), but absent from an older Node
  const buffer = array.buffer as Partial<Pick<ArrayBuffer, "transfer">>;
  buffer.transfer?.(0);
}
