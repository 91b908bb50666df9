/**
 * The Django-serializer envelope of each export row: `{"model": …, "pk": …, "fields": {…}}`
 * (backup-format.md §9). Model names are lower-cased here, once, for every later comparison.
 */
import { ImportFailure } from "../errors.ts";
import { toModelName } from "../registry/types.ts";
import type { ModelName } from "../registry/types.ts";
import { splitJsonArray } from "./splitter.ts";
import type { ArrayElement, SplitOptions } from "./splitter.ts";

export interface ExportRow {
  /** 1-based position in the export array */
  readonly position: number;
  /** lower-cased `model` */
  readonly model: ModelName;
  /** the old pk */
  readonly pk: number;
  /** the raw `fields` object, as parsed */
  readonly fields: Readonly<Record<string, unknown>>;
}

function invalid(reason: string, position: number, pk: number | null = null): ImportFailure {
  return new ImportFailure("InvalidExport", reason, {
    on: { model: null, ordinal: null, position },
    leftPk: pk,
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parses one array element and checks its envelope.
 *
 * @throws ImportFailure `DeserializationFailed` for malformed JSON, `InvalidExport` for a row that
 *   is not `{model: string, pk: integer, fields: object}`; both name the position.
 */
export function parseElement(element: ArrayElement): ExportRow {
  let parsed: unknown;
  try {
    parsed = element.parsed === undefined ? JSON.parse(element.text) : element.parsed.value;
  } catch (cause) {
    throw new ImportFailure(
      "DeserializationFailed",
      `element ${element.position} is not valid JSON: ${(cause as Error).message}`,
      {
        on: { model: null, ordinal: null, position: element.position },
        context: { byteOffset: element.byteOffset },
        cause,
      },
    );
  }
  const position = element.position;
  if (!isPlainObject(parsed)) {
    throw invalid(`row ${position} is not an object`, position);
  }
  const { model, pk, fields } = parsed;
  if (typeof model !== "string") {
    throw invalid(`row ${position} has no "model" string`, position);
  }
  if (typeof pk !== "number" || !Number.isSafeInteger(pk)) {
    throw new ImportFailure("InvalidExport", `row ${position} (${model}) has no integer "pk"`, {
      on: { model: toModelName(model), ordinal: null, position },
    });
  }
  if (!isPlainObject(fields)) {
    throw new ImportFailure("InvalidExport", `row ${position} (${model}) has no "fields" object`, {
      on: { model: toModelName(model), ordinal: null, position },
      leftPk: pk,
    });
  }
  return { position, model: toModelName(model), pk, fields };
}

/** Splits and parses an export, yielding each row's envelope in file order. */
export async function* readExportRows(
  source: AsyncIterable<Uint8Array>,
  options: SplitOptions = {},
): AsyncGenerator<ExportRow, void, undefined> {
  for await (const element of splitJsonArray(source, { ...options, parseBlocks: true })) {
    yield parseElement(element);
  }
}
