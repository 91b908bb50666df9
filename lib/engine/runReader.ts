/**
 * Reads one planned run's rows back from the source, chunk by chunk. Only the run's elements are
 * `JSON.parse`d, and reading stops after its last position, so runs can be read concurrently
 * from independent streams.
 */
import { parseElement } from "../export/envelope.ts";
import type { ExportRow } from "../export/envelope.ts";
import type { UserKeyIndex, UnresolvedReference } from "../export/naturalKeys.ts";
import { splitJsonArray } from "../export/splitter.ts";
import type { SplitOptions } from "../export/splitter.ts";
import type { PlannedChunk } from "../planner/chunks.ts";
import type { PlannedRun } from "../planner/plan.ts";
import type { ByteSource } from "../ports.ts";
import { getModel, userReferencesOf } from "../registry/registry.ts";

export interface ChunkOfRows {
  readonly chunk: PlannedChunk;
  readonly rows: readonly ExportRow[];
}

/**
 * Replaces natural-key user references in the raw fields with the file pk they name (decision
 * f); returns null, with the reason in `unresolved`, when one can't be resolved.
 */
export function resolveRawNaturalKeys(
  row: ExportRow,
  ordinal: number,
  userKeys: UserKeyIndex,
  unresolved: UnresolvedReference[],
): ExportRow | null {
  const spec = getModel(row.model);
  if (spec === undefined) {
    return row;
  }
  let fields: Record<string, unknown> | null = null;
  for (const field of userReferencesOf(spec)) {
    const raw = row.fields[field.key];
    if (!Array.isArray(raw) || raw.length !== 1 || typeof raw[0] !== "string") {
      continue;
    }
    const resolution = userKeys.resolve(raw[0]);
    if (resolution.kind === "unresolvable") {
      unresolved.push({
        model: row.model,
        pk: row.pk,
        position: row.position,
        ordinal,
        field: field.key,
        key: raw[0],
        reason: resolution.reason,
      });
      return null;
    }
    fields ??= { ...row.fields };
    fields[field.key] = resolution.pk;
  }
  return fields === null ? row : { ...row, fields };
}

export async function* readRunChunks(
  source: ByteSource,
  run: PlannedRun,
  userKeys: UserKeyIndex | null,
  unresolved: UnresolvedReference[],
  split: SplitOptions = {},
): AsyncGenerator<ChunkOfRows, void, undefined> {
  const chunks = [...run.chunks];
  let current = chunks.shift();
  let rows: ExportRow[] = [];
  for await (const element of splitJsonArray(source(), split)) {
    if (current === undefined || element.position > run.lastPosition) {
      break;
    }
    if (element.position < current.firstPosition) {
      continue;
    }
    const row = parseElement(element);
    const ordinal = element.position - run.firstPosition + 1;
    const kept =
      userKeys === null ? row : resolveRawNaturalKeys(row, ordinal, userKeys, unresolved);
    if (kept !== null) {
      rows.push(kept);
    }
    if (element.position === current.lastPosition) {
      yield { chunk: current, rows };
      rows = [];
      current = chunks.shift();
    }
  }
}
