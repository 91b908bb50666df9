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

/**
 * Address table columns. The first packs three numbers, so that the table is no larger than
 * before they were kept (a column is 8 MB at a million users, at the plan pass's peak): bits
 * 0–23 hold 1 + the chunk of the address's first user (0 for none); bits 24–27 count the users
 * who spell the address as that user does, bits 28–31 the user emails that do (both stop at 15).
 */
const FIRST_CHUNK = 0;
const CHUNK_MASK = 0xffffff;
const USERS_ALIKE = 24;
const USER_EMAILS_ALIKE = 28;
const COUNT_MASK = 0xf;
/** the first user's spelling, as 32 bits of its hash */
const FIRST_SPELLING = 1;
/** kept only when asked for (`--merge-users`): 8 MB at a million users */
const LAST_CHUNK = 2;

/** An address's spelling, as 32 bits of its hash (`FIRST_SPELLING`). */
function spellingOf(email: string): number {
  return hash53(email) | 0;
}

function countOf(packed: number, shift: number): number {
  return (packed >>> shift) & COUNT_MASK;
}

/** `packed` with the count at `shift` one higher, unless it stopped at its maximum. */
function counted(packed: number, shift: number): number {
  const count = Math.min(countOf(packed, shift) + 1, COUNT_MASK);
  return (packed & ~(COUNT_MASK << shift)) | (count << shift);
}

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
    this.#addresses = new HashSlots(this.#lastChunks ? 3 : 2);
  }

  /**
   * Adds the next user row of the run that will be imported (it passes the username filter),
   * in file order; `chunk` is its 0-based chunk index.
   */
  add(username: string, email: string, chunk: number): void {
    const slot = this.#addresses.add(foldedHash(email));
    const firstChunk = this.#addresses.column(FIRST_CHUNK);
    const packed = firstChunk[slot] ?? 0;
    const first = packed & CHUNK_MASK;
    if (this.#lastChunks) {
      this.#addresses.column(LAST_CHUNK)[slot] = chunk + 1;
    }
    const spelling = spellingOf(email);
    if (first === 0) {
      if (chunk + 1 > CHUNK_MASK) {
        this.#stop("more user chunks than the address table numbers");
      }
      firstChunk[slot] = counted(Math.min(chunk + 1, CHUNK_MASK), USERS_ALIKE);
      this.#addresses.column(FIRST_SPELLING)[slot] = spelling;
    } else if (this.#addresses.column(FIRST_SPELLING)[slot] === spelling) {
      firstChunk[slot] = counted(packed, USERS_ALIKE);
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
      firstSpelledAlike: this.#addresses.column(FIRST_SPELLING)[slot] === spellingOf(email),
    };
  }

  /**
   * Notes a user-email row of the file, after the user run. A user email spelled as the first
   * user spells its address may create the Email row before that user's chunk runs
   * (`userEmailAddresses.ts`), unless it is the row of one of the address's users (their side
   * effect made that pair). One spelled otherwise leaves the address to the user.
   */
  noteUserEmail(email: string): void {
    if (!ASCII_ONLY.test(email)) {
      return;
    }
    const slot = this.#addresses.find(foldedHash(email));
    if (slot !== -1 && this.#addresses.column(FIRST_SPELLING)[slot] === spellingOf(email)) {
      const firstChunk = this.#addresses.column(FIRST_CHUNK);
      firstChunk[slot] = counted(firstChunk[slot] ?? 0, USER_EMAILS_ALIKE);
    }
  }

  /**
   * Per user chunk (0-based), the addresses its first users have that more user emails than
   * users spell alike: one of those is some other user's, which may create the Email row first
   * (`NewAddressHint`). As sorted `hash53` values of their case fold; read before `release`. A
   * hash collision only adds an address, which then takes the slower path; an export that
   * leaves out a user's own user email can hide another user's, whose chunk then makes the
   * plain INSERT fail and fall back.
   */
  addressesInOtherUserEmails(): Map<number, Float64Array> {
    const byChunk = new Map<number, number[]>();
    const firstChunk = this.#addresses.column(FIRST_CHUNK);
    this.#addresses.forEach((key, slot) => {
      const packed = firstChunk[slot] ?? 0;
      const userEmails = countOf(packed, USER_EMAILS_ALIKE);
      if (userEmails > countOf(packed, USERS_ALIKE) || userEmails === COUNT_MASK) {
        const chunk = (packed & CHUNK_MASK) - 1;
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
