import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe } from "vitest";

/**
 * `../shared/` holds Sentry's fixtures and the golden vectors. They are never copied into the
 * project: tests read them in place, and skip (saying why) where the folder is absent. Under CI a
 * missing folder is an error, never a silent skip.
 */
export const SHARED_DIR = resolve(import.meta.dirname, "../../../shared");
export const SHARED_AVAILABLE = existsSync(resolve(SHARED_DIR, "fixtures"));

if (!SHARED_AVAILABLE && process.env["CI"] === "true") {
  throw new Error(`CI=true but the shared fixtures are missing: expected them at ${SHARED_DIR}`);
}

export const SKIP_REASON = `skipped: ../shared/fixtures not found at ${SHARED_DIR}`;

export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_DIR, "fixtures", ...parts);
}

export async function readShared(...parts: string[]): Promise<Buffer> {
  return readFile(sharedPath(...parts));
}

/** `describe` over shared fixtures: skipped with the reason in its title when they are absent. */
export function describeWithShared(name: string, body: () => void): void {
  if (SHARED_AVAILABLE) {
    describe(name, body);
  } else {
    describe.skip(`${name} (${SKIP_REASON})`, body);
  }
}
