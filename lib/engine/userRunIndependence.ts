/**
 * Whether, and how, the chunks of the user run may be written concurrently. §6.3 rule 3 keeps
 * one run's chunks in ordinal order because its rows collide with earlier rows of the same run.
 * For users those collisions are:
 * - a username repeated case-insensitively: the later user gets a suffix. A file with one keeps
 *   the whole run in order;
 * - an address that two users share: one Email row results, in the spelling of the first user.
 *   The chunk of the first user creates it; later chunks leave it to that one
 *   (`addressesCreatedEarlier`), so no chunk waits for another. With `--merge-users` the first
 *   user may be merged and create nothing: a run with shared addresses then goes in order.
 * Collisions with users already in the database are the chunk importer's to notice
 * (`ChunkRequest.concurrentSiblings`).
 *
 * Compact: each name is kept as a 53-bit hash in an open-addressing table of typed arrays
 * (about 40 MB at a million users, none of it on the V8 heap, gone after the plan pass). A hash
 * collision reads as a repeat, which only costs speed. Names with a non-ASCII character keep the
 * run in order: the database's `lower()` and JavaScript's case folding agree only on ASCII.
 */
import { AddressesByChunk } from "./addressesByChunk.ts";
import type { ChunkAddressLists } from "./addressesByChunk.ts";
import { ASCII_ONLY, foldedHash, hash53 } from "../foldedHash.ts";
import { HashSlots } from "./hashSlots.ts";

/** Address table columns: 1 + a chunk index, 0 for none. */
const FIRST_CHUNK = 0;
/** the first user's spelling, as 32 bits of its hash */
const FIRST_SPELLING = 1;
/**
 * the first user's pk, its low 31 bits; the sign bit is set once a user email of another user
 * has the address too (one column for both: 8 MB at a million users, at the plan pass's peak)
 */
const FIRST_OWNER = 2;
const OWNER_BITS = 0x7fffffff;
const IN_OTHER_USER_EMAILS = 0x80000000;
/** kept only when asked for (`--merge-users`): 8 MB at a million users */
const LAST_CHUNK = 3;

/**
 * Addresses kept for later chunks, at the most: a file whose users share addresses massively
 * goes in order instead of holding them all.
 */
const MAX_ADDRESSES_CREATED_EARLIER = 200_000;

export class UserRunIndependence {
  readonly #usernames = new HashSlots(0);
  /** folded address → 1 + the chunk of its first user; its spelling; 1 + its last user's chunk */
  readonly #addresses: HashSlots;
  readonly #lastChunks: boolean;
  /** chunk index → its users' addresses that a user of an earlier chunk has too */
  readonly #createdEarlier = new AddressesByChunk(MAX_ADDRESSES_CREATED_EARLIER);
  #reason: string | null = null;

  /** @param options.lastChunks keep each address's last user chunk (`usersWithAddress`) */
  constructor(options: { readonly lastChunks?: boolean } = {}) {
    this.#lastChunks = options.lastChunks === true;
    this.#addresses = new HashSlots(this.#lastChunks ? 4 : 3);
  }

  /**
   * Adds the next user row of the run that will be imported (it passes the username filter),
   * in file order; `chunk` is its 0-based chunk index, `pk` its old pk.
   */
  add(username: string, email: string, chunk: number, pk: number): void {
    const slot = this.#addresses.add(foldedHash(email));
    const firstChunk = this.#addresses.column(FIRST_CHUNK);
    const first = firstChunk[slot] ?? 0;
    if (this.#lastChunks) {
      this.#addresses.column(LAST_CHUNK)[slot] = chunk + 1;
    }
    if (first === 0) {
      firstChunk[slot] = chunk + 1;
      this.#addresses.column(FIRST_SPELLING)[slot] = hash53(email) | 0;
      this.#addresses.column(FIRST_OWNER)[slot] = pk & OWNER_BITS;
    }
    if (this.#reason !== null) {
      return;
    }
    if (!ASCII_ONLY.test(username) || !ASCII_ONLY.test(email)) {
      this.#stop("a username or address outside ASCII");
      return;
    }
    const folded = foldedHash(username);
    if (this.#usernames.find(folded) !== -1) {
      this.#stop("a username repeated (ignoring case)");
      return;
    }
    this.#usernames.add(folded);
    if (first !== 0 && first - 1 < chunk && !this.#createdEarlier.add(chunk, email)) {
      this.#stop("too many addresses shared between users");
    }
  }

  /**
   * The users of the run with `email` as their address (ignoring case): how many user chunks
   * hold the last of them (Infinity unless `lastChunks` was asked for), and whether the first
   * spells it as `email` does. Undefined when no user has it. Non-ASCII addresses are folded as
   * JavaScript folds them: callers treat them as unknown.
   */
  usersWithAddress(
    email: string,
  ): { readonly chunksToLast: number; readonly firstSpelledAlike: boolean } | undefined {
    const slot = this.#addresses.find(foldedHash(email));
    if (slot === -1) {
      return undefined;
    }
    return {
      chunksToLast: this.#lastChunks ? (this.#addresses.column(LAST_CHUNK)[slot] ?? 0) : Infinity,
      firstSpelledAlike: this.#addresses.column(FIRST_SPELLING)[slot] === (hash53(email) | 0),
    };
  }

  /**
   * Notes a user-email row of the file (`userPk`: its user's old pk, null if not a plain pk). A
   * user email of another user than the address's first user, spelled alike, may create the
   * Email row before that user's chunk runs (`userEmailAddresses.ts`), so the address goes to
   * `addressesInOtherUserEmails`. One spelled otherwise leaves the address to the user; its own
   * user's rows are the side effect's pair.
   */
  noteUserEmail(email: string, userPk: number | null): void {
    if (!ASCII_ONLY.test(email)) {
      return;
    }
    const slot = this.#addresses.find(foldedHash(email));
    if (slot === -1 || this.#addresses.column(FIRST_SPELLING)[slot] !== (hash53(email) | 0)) {
      return;
    }
    const owners = this.#addresses.column(FIRST_OWNER);
    const owner = owners[slot] ?? 0;
    if (userPk === null || (owner & OWNER_BITS) !== (userPk & OWNER_BITS)) {
      owners[slot] = owner | IN_OTHER_USER_EMAILS;
    }
  }

  /**
   * Per user chunk (0-based), the addresses its first users have that a user email of another
   * user has too, spelled alike, as sorted `hash53` values of their case fold (`NewAddressHint`). Read before
   * `release`. A hash collision only adds an address, which then takes the slower path.
   */
  addressesInOtherUserEmails(): Map<number, Float64Array> {
    const byChunk = new Map<number, number[]>();
    const owners = this.#addresses.column(FIRST_OWNER);
    const firstChunk = this.#addresses.column(FIRST_CHUNK);
    this.#addresses.forEach((key, slot) => {
      if (((owners[slot] ?? 0) & IN_OTHER_USER_EMAILS) !== 0) {
        const chunk = (firstChunk[slot] ?? 0) - 1;
        const list = byChunk.get(chunk) ?? [];
        list.push(key);
        byChunk.set(chunk, list);
      }
    });
    return new Map([...byChunk].map(([chunk, keys]) => [chunk, Float64Array.from(keys).sort()]));
  }

  #stop(reason: string): void {
    this.#reason = reason;
    this.#createdEarlier.clear();
  }

  /** Frees the hash tables, once the plan pass is done with them (their results stay). */
  release(): void {
    this.#usernames.release();
    this.#addresses.release();
  }

  /** True when the run's chunks may be written concurrently. */
  get independent(): boolean {
    return this.#reason === null;
  }

  /** Why the run must go in order, or null. */
  get reason(): string | null {
    return this.#reason;
  }

  /**
   * Per chunk (0-based): the addresses of its users that a user of an earlier chunk has too
   * (compared ignoring case). That earlier user's side effect creates the Email row, in its
   * spelling, as file order would; the later chunk leaves it alone, so the chunks need not wait
   * for each other. Valid only when no user is merged: a merged user creates nothing.
   */
  get addressesCreatedEarlier(): ChunkAddressLists {
    return this.#createdEarlier.byChunk;
  }
}
