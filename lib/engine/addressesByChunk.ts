/**
 * Per chunk of a run, the addresses that chunk leaves to a user's side effect elsewhere
 * (`userRunIndependence.ts`, `userEmailAddresses.ts`), up to a cap: past it, the caller falls
 * back to order instead of holding them all.
 */
export class AddressesByChunk {
  readonly #cap: number;
  readonly #byChunk = new Map<number, Set<string>>();
  #count = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Records `address` for `chunk`; false, recording nothing, once the cap is reached. */
  add(chunk: number, address: string): boolean {
    if (this.#count >= this.#cap) {
      return false;
    }
    let addresses = this.#byChunk.get(chunk);
    if (addresses === undefined) {
      addresses = new Set();
      this.#byChunk.set(chunk, addresses);
    }
    addresses.add(address);
    this.#count += 1;
    return true;
  }

  clear(): void {
    this.#byChunk.clear();
    this.#count = 0;
  }

  /** chunk index (0-based) → its addresses; the importer deletes a chunk's once it committed */
  get byChunk(): Map<number, ReadonlySet<string>> {
    return this.#byChunk;
  }
}
