/**
 * Per chunk of a run, the addresses that chunk leaves to a user's side effect elsewhere
 * (`userRunIndependence.ts`, `userEmailAddresses.ts`), up to a cap: past it, the caller falls
 * back to order instead of holding them all.
 *
 * They are held from the plan pass to the end of the import (at 1M users ~160k addresses): a
 * chunk's list as one JSON string, not a Set of strings, takes well under half the heap. The
 * chunk being added to stays a Set (adds come chunk after chunk), and a list becomes a Set again
 * when its chunk is imported.
 */

/** chunk index (0-based) → its addresses; the importer deletes a chunk's once it committed */
export interface ChunkAddressLists extends Iterable<[number, ReadonlySet<string>]> {
  readonly size: number;
  get(chunk: number): ReadonlySet<string> | undefined;
  delete(chunk: number): boolean;
  keys(): IterableIterator<number>;
}

function parseList(json: string): Set<string> {
  return new Set(JSON.parse(json) as string[]);
}

class SealedLists implements ChunkAddressLists {
  readonly #lists: Map<number, string>;

  constructor(lists: Map<number, string>) {
    this.#lists = lists;
  }

  get size(): number {
    return this.#lists.size;
  }

  get(chunk: number): ReadonlySet<string> | undefined {
    const json = this.#lists.get(chunk);
    return json === undefined ? undefined : parseList(json);
  }

  delete(chunk: number): boolean {
    return this.#lists.delete(chunk);
  }

  keys(): IterableIterator<number> {
    return this.#lists.keys();
  }

  *[Symbol.iterator](): Iterator<[number, ReadonlySet<string>]> {
    for (const [chunk, json] of this.#lists) {
      yield [chunk, parseList(json)];
    }
  }
}

export class AddressesByChunk {
  readonly #cap: number;
  readonly #sealed = new Map<number, string>();
  #open: { chunk: number; addresses: Set<string> } | null = null;
  #count = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Records `address` for `chunk`; false, recording nothing, once the cap is reached. */
  add(chunk: number, address: string): boolean {
    if (this.#count >= this.#cap) {
      return false;
    }
    if (this.#open?.chunk !== chunk) {
      this.#seal();
      const sealed = this.#sealed.get(chunk);
      this.#sealed.delete(chunk);
      this.#open = { chunk, addresses: sealed === undefined ? new Set() : parseList(sealed) };
    }
    const { addresses } = this.#open;
    if (!addresses.has(address)) {
      addresses.add(address);
      this.#count += 1;
    }
    return true;
  }

  clear(): void {
    this.#sealed.clear();
    this.#open = null;
    this.#count = 0;
  }

  /** The lists recorded so far; adding after this starts a new chunk's list. */
  get byChunk(): ChunkAddressLists {
    this.#seal();
    return new SealedLists(this.#sealed);
  }

  #seal(): void {
    if (this.#open !== null) {
      this.#sealed.set(this.#open.chunk, JSON.stringify([...this.#open.addresses]));
      this.#open = null;
    }
  }
}
