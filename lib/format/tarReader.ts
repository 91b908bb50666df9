import { extract as createExtract, type Extract } from "tar-stream";

import { ArchiveError, SentryImportError } from "../errors.ts";

/** One tar entry as the archive states it; `body` must be read (or skipped) before the next. */
export interface TarEntry {
  readonly name: string;
  readonly size: number;
  /** tar-stream's type: "file", "directory", "symlink", … (PAX and GNU long names are applied). */
  readonly type: string;
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * Streams the entries of a tar archive with tar-stream. Nothing is buffered beyond tar-stream's
 * own pieces: the caller pulls entry bodies at its own pace. Failures become ArchiveErrors that
 * name `label`: `not_a_tar` when the first header is unreadable, `truncated` when data ends early.
 */
export async function* readTarEntries(
  chunks: AsyncIterable<Uint8Array>,
  label: string,
): AsyncGenerator<TarEntry, void, undefined> {
  // Sentry reads old v7 tars too, so do not insist on the ustar magic.
  const extract = createExtract({ allowUnknownFormat: true } as Parameters<
    typeof createExtract
  >[0]);
  const state = { entries: 0, lastName: null as string | null };
  void pump(chunks, extract);
  const iterator = extract[Symbol.asyncIterator]();
  try {
    for (;;) {
      const step = await iterator.next().catch((error: unknown) => {
        throw mapTarError(error, label, state);
      });
      if (step.done === true) {
        return;
      }
      const source = step.value;
      state.entries += 1;
      state.lastName = source.header.name;
      yield {
        name: source.header.name,
        size: source.header.size,
        type: source.header.type,
        body: mapBodyErrors(source as AsyncIterable<Uint8Array>, label, state),
      };
    }
  } finally {
    // Stopping early (an error, or a caller that broke off) must release the source.
    await iterator.return?.();
  }
}

/** Feeds the source into tar-stream, honouring back-pressure; a source failure destroys it. */
async function pump(chunks: AsyncIterable<Uint8Array>, extract: Extract): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (extract.destroyed) {
        return;
      }
      const piece = Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (!extract.write(piece)) {
        await drainedOrClosed(extract);
      }
    }
    extract.end(undefined);
  } catch (error) {
    extract.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

function drainedOrClosed(extract: Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      extract.off("drain", done);
      extract.off("close", done);
      resolve();
    };
    extract.on("drain", done);
    extract.on("close", done);
  });
}

async function* mapBodyErrors(
  body: AsyncIterable<Uint8Array>,
  label: string,
  state: { entries: number; lastName: string | null },
): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    throw mapTarError(error, label, state);
  }
}

function mapTarError(
  error: unknown,
  label: string,
  state: { entries: number; lastName: string | null },
): Error {
  if (error instanceof SentryImportError) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  const context = { file: label, tarError: message };
  if (/unexpected end of data/i.test(message)) {
    if (state.entries === 0) {
      return new ArchiveError(
        "not_a_tar",
        `${label} is not a tar archive: it ends before the first 512-byte header is complete`,
        { cause: error, context },
      );
    }
    return new ArchiveError(
      "truncated",
      `${label} is truncated: the data ends inside or after member "${state.lastName ?? ""}"`,
      { cause: error, context },
    );
  }
  if (/header/i.test(message)) {
    const where =
      state.entries === 0
        ? "its first header is not a tar header"
        : `the header after member "${state.lastName ?? ""}" is corrupt`;
    return new ArchiveError("not_a_tar", `${label} is not a valid tar archive: ${where}`, {
      cause: error,
      context,
    });
  }
  return new ArchiveError("not_a_tar", `${label}: cannot read the tar archive (${message})`, {
    cause: error,
    context,
  });
}
