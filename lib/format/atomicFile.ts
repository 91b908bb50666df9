import { randomBytes } from "node:crypto";
import { createWriteStream, rmSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { finished } from "node:stream/promises";
import type { Writable } from "node:stream";

/** Temporary files being written now, so an interrupted process can remove them on its way out. */
const pendingTemps = new Set<string>();

/** Synchronously removes every unfinished temporary file (for SIGINT/SIGTERM handlers). */
export function removePendingTempFiles(): void {
  for (const temp of pendingTemps) {
    rmSync(temp, { force: true });
  }
  pendingTemps.clear();
}

/**
 * Writes `destPath` all-or-nothing: `write` fills a temporary file in the same folder (so the
 * final rename stays on one file system and is atomic), and the rename happens only after `write`
 * resolved and the data was flushed. On any failure the temporary file is removed and `destPath`
 * is left as it was. `write` may end the stream itself (e.g. through `pipeline`) or leave it open.
 */
export async function writeFileAtomically(
  destPath: string,
  write: (out: Writable) => Promise<void>,
  options: { mode?: number } = {},
): Promise<void> {
  const temp = join(
    dirname(destPath),
    `.${basename(destPath)}.${randomBytes(6).toString("hex")}.partial`,
  );
  const out = createWriteStream(temp, { flags: "wx", mode: options.mode ?? 0o644, flush: true });
  pendingTemps.add(temp);
  try {
    await write(out);
    if (!out.writableEnded) {
      out.end();
    }
    await finished(out);
    await rename(temp, destPath);
  } catch (error) {
    out.destroy();
    await finished(out).catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  } finally {
    pendingTemps.delete(temp);
  }
}
