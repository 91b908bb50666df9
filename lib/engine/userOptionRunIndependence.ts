/**
 * Whether the chunks of the user-option run may be written concurrently (§6.3 rule 3). Its rows
 * collide with earlier rows of the run only as a repeated global option: the same user and key
 * with both scope ids null, of which the later one is skipped. A file without one, whose user
 * references are all pks (natural keys are resolved only when the run is read), has chunks that
 * cannot see each other's rows: options already in the database are committed and seen by all.
 * Distinct file users stay distinct users: only merged users share one, and their options are
 * skipped.
 */
import { NaturalKey } from "../export/row.ts";
import type { FieldValue } from "../export/row.ts";
import { HashSlots, hash53 } from "./hashSlots.ts";

export class UserOptionRunIndependence {
  readonly #globalKeys = new HashSlots(0);
  #reason: string | null = null;

  /** Adds the next user-option row of the run (its parsed values), in file order. */
  add(values: Readonly<Record<string, FieldValue>>): void {
    if (this.#reason !== null) {
      return;
    }
    const user = values["user"];
    if (typeof user !== "number") {
      this.#reason =
        user instanceof NaturalKey ? "a user named by natural key" : "a row without a user pk";
      return;
    }
    if (values["organization_id"] !== null || values["project_id"] !== null) {
      // scoped options are never imported in the Config and User scopes
      return;
    }
    const key = hash53(`${String(user)}\u0000${JSON.stringify(values["key"] ?? null)}`);
    if (this.#globalKeys.find(key) !== -1) {
      this.#reason = "a global option repeated for one user";
      return;
    }
    this.#globalKeys.add(key);
  }

  get independent(): boolean {
    return this.#reason === null;
  }

  get reason(): string | null {
    return this.#reason;
  }
}
