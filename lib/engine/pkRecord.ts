/** A compact record of one run's pks, for the plan pass's duplicate-pk check. */
const BLOCK = 65_536;

/**
 * The pks of one run, compactly. While they ascend they are kept as ranges of consecutive pks
 * (an export's pks are ascending and mostly consecutive: a few numbers for millions of rows);
 * once they stop ascending, or the ranges stop paying off, as a list in fixed blocks of
 * Float64Array (no copying as it grows, nothing on the V8 heap). A plain array of 2.5M pks grew
 * the heap, and the import's peak RSS after it, by ~100 MB.
 */
export class PkRecord {
  /** `[first, last, first, last, …]` of runs of consecutive pks; null once listing every pk */
  #ranges: number[] | null = [];
  #blocks: Float64Array[] = [];
  #used = BLOCK;
  #count = 0;
  #last = -Infinity;
  #ascending = true;

  /** Whether every pk so far was greater than the one before (then none can repeat). */
  get ascending(): boolean {
    return this.#ascending;
  }

  /** Adds the next pk of the run, in file order. */
  add(pk: number): void {
    this.#count += 1;
    this.#ascending &&= pk > this.#last;
    this.#last = pk;
    const ascending = this.#ascending;
    const ranges = this.#ranges;
    if (ranges !== null && ascending) {
      const last = ranges.length - 1;
      if (last > 0 && ranges[last] === pk - 1) {
        ranges[last] = pk;
        return;
      }
      ranges.push(pk, pk);
      // more than one range per 8 pks: a list is smaller
      if (ranges.length / 2 <= Math.max(4096, this.#count / 8)) {
        return;
      }
    }
    if (ranges !== null) {
      this.#ranges = null;
      for (let i = 0; i < ranges.length; i += 2) {
        for (let p = ranges[i] ?? 0; p <= (ranges[i + 1] ?? -1); p += 1) {
          this.#append(p);
        }
      }
      if (ascending) {
        // `pk` went in with the ranges
        return;
      }
    }
    this.#append(pk);
  }

  #append(pk: number): void {
    if (this.#used === BLOCK) {
      this.#blocks.push(new Float64Array(BLOCK));
      this.#used = 0;
    }
    const block = this.#blocks.at(-1);
    if (block !== undefined) {
      block[this.#used] = pk;
      this.#used += 1;
    }
  }

  /** Every pk, sorted (only needed once they stopped ascending). */
  sorted(): Float64Array {
    const all = new Float64Array(this.#count);
    let at = 0;
    if (this.#ranges !== null) {
      for (let i = 0; i < this.#ranges.length; i += 2) {
        for (let p = this.#ranges[i] ?? 0; p <= (this.#ranges[i + 1] ?? -1); p += 1) {
          all[at++] = p;
        }
      }
    }
    this.#blocks.forEach((block, i) => {
      const used = i === this.#blocks.length - 1 ? this.#used : BLOCK;
      all.set(block.subarray(0, used), at);
      at += used;
    });
    return all.sort();
  }
}
