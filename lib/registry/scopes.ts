/** Which relocation scopes each import scope brings in (§2), and per-row scope decisions. */
import type { ImportScope, ModelSpec, RelocationScope } from "./types.ts";

export const IMPORT_SCOPE_RELOCATION_SCOPES: Readonly<
  Record<ImportScope, readonly RelocationScope[]>
> = {
  User: ["User"],
  Organization: ["User", "Organization"],
  Config: ["User", "Config"],
  Global: ["User", "Organization", "Config", "Global"],
};

/** The coarse gate of §7 step 2: can any row of this model be imported in this scope? */
export function modelInScope(model: ModelSpec, scope: ImportScope): boolean {
  const allowed = IMPORT_SCOPE_RELOCATION_SCOPES[scope];
  return model.relocationScopes.some((s) => allowed.includes(s));
}

/**
 * The scope of one row (§3.1 notes). `values` are the row's fields by JSON key; for
 * `globalWhenSet`, anything but null/undefined counts as set.
 */
export function rowRelocationScope(
  model: ModelSpec,
  values: Readonly<Record<string, unknown>>,
): RelocationScope {
  const rule = model.rowScope;
  switch (rule.kind) {
    case "fixed":
      return rule.scope;
    case "globalWhenSet":
      return values[rule.key] === null || values[rule.key] === undefined
        ? rule.whenNull
        : rule.whenSet;
  }
}

/** The fine gate of §7 step 6. */
export function rowInScope(
  model: ModelSpec,
  values: Readonly<Record<string, unknown>>,
  scope: ImportScope,
): boolean {
  return IMPORT_SCOPE_RELOCATION_SCOPES[scope].includes(rowRelocationScope(model, values));
}
