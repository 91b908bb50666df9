/** Searches in ascending arrays of numbers. */

/** How many of the ascending `sorted` are at most `value`. */
export function countAtMost(sorted: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? Infinity) <= value) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

/** Whether the ascending `sorted` holds `value`. */
export function sortedHas(sorted: ArrayLike<number>, value: number): boolean {
  const atMost = countAtMost(sorted, value);
  return atMost > 0 && sorted[atMost - 1] === value;
}
