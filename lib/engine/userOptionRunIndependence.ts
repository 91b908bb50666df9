/**
 * Whether the chunks of the user-option run may be written concurrently (§6.3 rule 3). Its rows
 * collide with earlier rows of the run only as a repeated global option: the same user and key
 * with both scope ids null, of which the later one is skipped. Holding every (user, key) of a
 * large run would cost tens of MB, so this checks a shape instead: the rows come grouped by user
 * in ascending user pks (as an export that lists each user's options together does), and no key
 * repeats within a user's group; then no two global options of one user can collide. Any other
 * shape, or a user named by natural key (resolved only when the run is read), keeps the run in
 * order. Distinct file users stay distinct users: only merged users share one, and their options
 * are skipped.
 */
import { NaturalKey } from "../export/row.ts";
import type { FieldValue } from "../export/row.ts";

export class UserOptionRunIndependence {
  #user = -Infinity;
  /** global keys of the current user's group */
  #keys = new Set<string>();
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
    if (user < this.#user) {
      this.#reason = "options not grouped by ascending user";
      return;
    }
    if (user > this.#user) {
      this.#user = user;
      this.#keys.clear();
    }
    if (values["organization_id"] !== null || values["project_id"] !== null) {
      // scoped options are never imported in the Config and User scopes
      return;
    }
    const key = JSON.stringify(values["key"] ?? null);
    if (this.#keys.has(key)) {
      this.#reason = "a global option repeated for one user";
      return;
    }
    this.#keys.add(key);
  }

  get independent(): boolean {
    return this.#reason === null;
  }

  get reason(): string | null {
    return this.#reason;
  }
}
