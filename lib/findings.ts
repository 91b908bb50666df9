/**
 * Findings in Sentry's shape (backup-format.md §12): a JSON array written like Python's
 * `json.dumps(…, sort_keys=True, indent=2, ensure_ascii=True)`, and the pretty stderr form.
 */
import { ImportFailure, SentryImportError, coerceError } from "./errors.ts";

export interface Finding {
  readonly finding: "RpcImportError" | "RpcExportError" | "ComparatorFinding";
  readonly kind: string;
  readonly on: { readonly model: string | null; readonly ordinal: number | null };
  readonly left_pk: number | null;
  readonly right_pk: number | null;
  readonly reason: string;
}

/** Turns any failure into one finding; the reason names the file and position when known. */
export function findingFromError(thrown: unknown): Finding {
  const error = coerceError(thrown);
  if (error instanceof ImportFailure) {
    const where: string[] = [];
    if (error.on.position !== undefined && error.on.position !== null) {
      where.push(`position ${String(error.on.position)}`);
    }
    if (error.on.field !== undefined && error.on.field !== null) {
      where.push(`field ${error.on.field}`);
    }
    if (error.on.file !== undefined && error.on.file !== null) {
      where.push(`in ${error.on.file}`);
    }
    return {
      finding: "RpcImportError",
      kind: error.code,
      on: { model: error.on.model, ordinal: error.on.ordinal },
      left_pk: error.leftPk,
      right_pk: error.rightPk,
      reason: where.length === 0 ? error.message : `${error.message} (${where.join(", ")})`,
    };
  }
  const kind =
    error instanceof SentryImportError
      ? error.name === "DecryptionError"
        ? "DecryptionFailed"
        : error.name === "ArchiveError"
          ? "InvalidArchive"
          : "Unknown"
      : "Unknown";
  return {
    finding: "RpcImportError",
    kind,
    on: { model: null, ordinal: null },
    left_pk: null,
    right_pk: null,
    reason: error.message,
  };
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeysDeep);
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([key, inner]) => [key, sortKeysDeep(inner)]));
  }
  return value;
}

/** Python's `ensure_ascii`: every UTF-16 code unit above 0x7F becomes `\uXXXX`. */
function escapeNonAscii(json: string): string {
  return json.replace(
    /[\u0080-\uffff]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The findings file content, byte-compatible with Sentry's writer. */
export function formatFindingsJson(findings: readonly Finding[]): string {
  return escapeNonAscii(JSON.stringify(sortKeysDeep(findings), null, 2));
}

/** The pretty form Sentry prints to stderr, e.g. `RpcImportError(\n    kind: …,\n …)`. */
export function prettyFinding(finding: Finding): string {
  const lines: string[] = [`    kind: ${finding.kind},`];
  if (finding.on.model !== null || finding.on.ordinal !== null) {
    const parts: string[] = [];
    if (finding.on.model !== null) {
      parts.push(`model: '${finding.on.model}'`);
    }
    if (finding.on.ordinal !== null) {
      parts.push(`ordinal: ${String(finding.on.ordinal)}`);
    }
    lines.push(`    on: InstanceID(${parts.join(", ")}),`);
  }
  if (finding.left_pk !== null) {
    lines.push(`    left_pk: ${String(finding.left_pk)},`);
  }
  if (finding.right_pk !== null) {
    lines.push(`    right_pk: ${String(finding.right_pk)},`);
  }
  if (finding.reason !== "") {
    lines.push(`    reason: ${finding.reason}`);
  }
  return `${finding.finding}(\n${lines.join("\n")}\n)`;
}
