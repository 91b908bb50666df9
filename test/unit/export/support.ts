/** Helpers shared by the export tests: byte sources and a seeded random generator. */

/** Feeds `bytes` in pieces of the given sizes (cycled), including zero-length pieces. */
export async function* chunked(
  bytes: Uint8Array,
  sizes: readonly number[],
): AsyncGenerator<Uint8Array, void, undefined> {
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const size = sizes[k % sizes.length] ?? 1;
    k++;
    // awaited like a real stream's next piece
    yield await Promise.resolve(bytes.subarray(at, at + size));
    at += size;
  }
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A small deterministic PRNG (mulberry32), so a failing random case can be replayed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
  }
  return out;
}
