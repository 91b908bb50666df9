/**
 * Natural-key user references of 23.x-era exports (decision f, §8.4): `["user@example.com"]` in
 * an FK to `sentry.user` names a user row of the same file, by username, or failing that by the
 * email of exactly one user row. Unresolvable references are not errors: the row is skipped and
 * listed in the import report, so resolution returns a result instead of throwing.
 */
import { USER } from "../registry/names.ts";
import type { ModelName } from "../registry/types.ts";
import type { ExportRow } from "./envelope.ts";
import { NaturalKey } from "./row.ts";
import type { ParsedRow, ResolvedRow, ResolvedValue } from "./row.ts";

export type KeyResolution =
  | { readonly kind: "resolved"; readonly pk: number }
  | { readonly kind: "unresolvable"; readonly reason: "noMatch" | "ambiguous" };

/** A skipped row, for the import report. */
export interface UnresolvedReference {
  readonly model: ModelName;
  readonly pk: number;
  readonly position: number;
  readonly ordinal: number;
  readonly field: string;
  readonly key: string;
  readonly reason: "noMatch" | "ambiguous";
}

export type RowResolution =
  | { readonly kind: "resolved"; readonly row: ResolvedRow }
  | { readonly kind: "unresolvable"; readonly reference: UnresolvedReference };

/** username → pks and email → pks of the file's `sentry.user` rows. */
export class UserKeyIndex {
  readonly #byUsername = new Map<string, number[]>();
  readonly #byEmail = new Map<string, number[]>();

  /** Builds the index from any rows; only `sentry.user` rows are looked at. */
  static fromRows(rows: Iterable<ExportRow>): UserKeyIndex {
    const index = new UserKeyIndex();
    for (const row of rows) {
      index.add(row);
    }
    return index;
  }

  /** Adds a row (ignored unless it is a `sentry.user` row); usable while streaming. */
  add(row: ExportRow): void {
    if (row.model !== USER) {
      return;
    }
    const { username, email } = row.fields;
    if (typeof username === "string") {
      push(this.#byUsername, username, row.pk);
    }
    if (typeof email === "string" && email !== "") {
      push(this.#byEmail, email, row.pk);
    }
  }

  /**
   * The file pk a natural key names. A username shared by several rows is ambiguous (the email
   * is not consulted then); an email is used only when no row has the key as its username.
   */
  resolve(key: string): KeyResolution {
    const byName = this.#byUsername.get(key);
    if (byName !== undefined) {
      return single(byName);
    }
    const byEmail = this.#byEmail.get(key);
    return byEmail === undefined ? { kind: "unresolvable", reason: "noMatch" } : single(byEmail);
  }
}

function push(map: Map<string, number[]>, key: string, pk: number): void {
  const list = map.get(key);
  if (list === undefined) {
    map.set(key, [pk]);
  } else if (!list.includes(pk)) {
    list.push(pk);
  }
}

function single(pks: readonly number[]): KeyResolution {
  const [pk] = pks;
  return pks.length === 1 && pk !== undefined
    ? { kind: "resolved", pk }
    : { kind: "unresolvable", reason: "ambiguous" };
}

/** Whether a row still holds natural keys. */
export function hasNaturalKeys(row: ParsedRow): boolean {
  return Object.values(row.values).some((v) => v instanceof NaturalKey);
}

/**
 * Replaces every natural key of the row with the file pk it names, or reports the first one
 * that can't be resolved (the row must then be skipped).
 */
export function resolveNaturalKeys(row: ParsedRow, index: UserKeyIndex): RowResolution {
  if (!hasNaturalKeys(row)) {
    return { kind: "resolved", row: row as ResolvedRow };
  }
  const values: Record<string, ResolvedValue> = {};
  for (const [key, value] of Object.entries(row.values)) {
    if (!(value instanceof NaturalKey)) {
      values[key] = value;
      continue;
    }
    const resolution = index.resolve(value.key);
    if (resolution.kind === "unresolvable") {
      return {
        kind: "unresolvable",
        reference: {
          model: row.model,
          pk: row.pk,
          position: row.position,
          ordinal: row.ordinal,
          field: key,
          key: value.key,
          reason: resolution.reason,
        },
      };
    }
    values[key] = resolution.pk;
  }
  return { kind: "resolved", row: { ...row, values } };
}
