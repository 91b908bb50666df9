/**
 * The addresses a user-email chunk leaves to the users' side effect. In file order every user,
 * and the Email row its side effect creates, comes before every user email, so a user email
 * whose address a user has too (ignoring case) finds that row, in the first user's spelling.
 * With the runs pipelined (`chunkGates.ts`) a user-email chunk may run before that user's chunk:
 * were it to get-or-create the address, its own spelling would win. So:
 * - spelled as the first user spells it: either order gives the same row;
 * - spelled otherwise: the chunk leaves the address to the user, who is inserted for certain
 *   without `--merge-users` (filtered-out users are not counted), and creates it in its spelling;
 * - with `--merge-users` a user may be merged and create nothing: the chunk waits instead for the
 *   chunk of the last user with the address;
 * - an address outside ASCII (JavaScript's case folding and the database's agree only on ASCII),
 *   or more addresses than are worth holding: the chunk waits for the whole user run.
 */
import { USER, USER_EMAIL } from "../registry/names.ts";
import { AddressesByChunk } from "./addressesByChunk.ts";
import type { ChunkAddressLists } from "./addressesByChunk.ts";
import type { ReferenceBounds } from "./chunkGates.ts";
import { ASCII_ONLY } from "../foldedHash.ts";
import type { UserRunIndependence } from "./userRunIndependence.ts";

const MAX_ADDRESSES_LEFT = 200_000;

export class UserEmailAddresses {
  readonly #chunkSize: number;
  readonly #mergeUsers: boolean;
  /** chunk index → addresses its user emails leave to the users */
  readonly #left = new AddressesByChunk(MAX_ADDRESSES_LEFT);

  constructor(chunkSize: number, mergeUsers: boolean) {
    this.#chunkSize = chunkSize;
    this.#mergeUsers = mergeUsers;
  }

  /** The next user-email row (its `ordinal` in the run and address), after the user run. */
  add(ordinal: number, email: string, users: UserRunIndependence, bounds: ReferenceBounds): void {
    const waitForAllUsers = (): void => {
      bounds.require(USER_EMAIL, ordinal, USER, Infinity);
    };
    if (!ASCII_ONLY.test(email)) {
      waitForAllUsers();
      return;
    }
    const owners = users.usersWithAddress(email);
    if (owners === undefined || (owners.firstSpelledAlike && !this.#mergeUsers)) {
      return;
    }
    if (this.#mergeUsers) {
      bounds.require(USER_EMAIL, ordinal, USER, owners.chunksToLast);
      return;
    }
    if (!this.#left.add(Math.floor((ordinal - 1) / this.#chunkSize), email)) {
      waitForAllUsers();
    }
  }

  /** Per user-email chunk (0-based): the addresses it does not create. */
  get left(): ChunkAddressLists {
    return this.#left.byChunk;
  }
}
