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

const OPENING_BRACKET = new Uint8Array([0x5b]);

/**
 * The export from the element at `byteOffset` on, as an array of its own: `[` and then the bytes
 * of that element and everything after it. A source that can seek starts there; from any other
 * the bytes before are read and dropped without being looked at.
 */
async function* arrayFromOffset(
  source: ByteSource,
  byteOffset: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield OPENING_BRACKET;
  if (source.from !== undefined) {
    yield* source.from(byteOffset);
    return;
  }
  let seen = 0;
  for await (const piece of source()) {
    const end = seen + piece.length;
    if (end > byteOffset) {
      yield seen >= byteOffset ? piece : piece.subarray(byteOffset - seen);
    }
    seen = end;
  }
}

/**
 * @param runOffset the byte offset of the run's first element (from the plan pass): reading
 *   starts there, so the elements of earlier runs are not cut out again. Without it the whole
 *   export is split from its start.
 */
export async function* readRunChunks(
  source: ByteSource,
  run: PlannedRun,
  userKeys: UserKeyIndex | null,
  unresolved: UnresolvedReference[],
  split: SplitOptions = {},
  runOffset?: number,
): AsyncGenerator<ChunkOfRows, void, undefined> {
  const { chunks } = run;
  let next = 0;
  let current = chunks[next];
  let rows: ExportRow[] = [];
  const elements =
    runOffset === undefined
      ? splitJsonArray(source(), { ...split, parseBlocks: true })
      : splitJsonArray(arrayFromOffset(source, runOffset), { ...split, parseBlocks: true });
  // positions counted by the splitter are shifted by this much
  const shift = runOffset === undefined ? 0 : run.firstPosition - 1;
  for await (const piece of elements) {
    const element = shift === 0 ? piece : { ...piece, position: piece.position + shift };
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
      next += 1;
      current = chunks[next];
    }
  }
}
