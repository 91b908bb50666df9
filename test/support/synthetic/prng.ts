/**
 * Deterministic randomness for the synthetic export generator.
 *
 * Every decision is drawn from a *stream* keyed by (seed, purpose, index), never from one global
 * sequence. That lets each model's pass recompute a user's plan in O(1) without storing it, and it
 * keeps unrelated data stable when one stream starts drawing more numbers.
 */

/** A 32-bit integer avalanche (xorshift-multiply finaliser); good enough for test data. */
export function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a over UTF-16 code units: turns a string seed into 32 bits. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** The 32-bit root of a seed given as a number or a string. */
export function seedRoot(seed: number | string): number {
  return typeof seed === "number" ? mix32(seed ^ 0x5eed5eed) : hashString(seed);
}

/** The seed of stream `purpose` for entity `index` (both small non-negative integers). */
export function streamSeed(root: number, purpose: number, index: number): number {
  return mix32(mix32(root ^ Math.imul(purpose + 1, 0x9e3779b9)) + Math.imul(index, 0x85ebca6b));
}

const TWO_POW_32 = 4294967296;
const HEX_PAIRS = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, "0"));

/** A tiny counter-based generator. Reseeding instead of allocating keeps million-user passes cheap. */
export class Rng {
  #state = 0;

  constructor(seed = 0) {
    this.#state = seed >>> 0;
  }

  reseed(seed: number): this {
    this.#state = seed >>> 0;
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    return mix32(this.#state);
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.u32() / TWO_POW_32;
  }

  /** A uniform integer in [0, n); 0 when n <= 0. */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.next() * n);
  }

  /** An integer in [min, max], both inclusive. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) {
      throw new Error("pick() from an empty list");
    }
    return item;
  }

  /** `count` lowercase hex digits. */
  hex(count: number): string {
    let out = "";
    for (let i = 0; i < count; i += 2) {
      out += HEX_PAIRS[this.u32() & 0xff] ?? "";
    }
    return count % 2 === 0 ? out : out.slice(0, count);
  }

  /** `count` characters from `alphabet`. */
  chars(alphabet: string, count: number): string {
    let out = "";
    for (let i = 0; i < count; i++) {
      out += alphabet.charAt(this.int(alphabet.length));
    }
    return out;
  }
}
