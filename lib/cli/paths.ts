import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

import { UsageError } from "../errors.ts";

/** A readable regular file, checked before any work starts (Click's `click.File` → exit 2). */
export function requireReadableFile(path: string, what: string): string {
  const absolute = resolve(path);
  let isFile: boolean;
  try {
    isFile = statSync(absolute).isFile();
    accessSync(absolute, constants.R_OK);
  } catch {
    throw new UsageError(`Invalid value for ${what}: '${path}' does not exist or is not readable`);
  }
  if (!isFile) {
    throw new UsageError(`Invalid value for ${what}: '${path}' is not a file`);
  }
  return absolute;
}

/** An output path whose folder exists and is writable; `force` allows replacing a file. */
export function requireWritableTarget(path: string, what: string, force = true): string {
  const absolute = resolve(path);
  try {
    accessSync(dirname(absolute), constants.W_OK);
  } catch {
    throw new UsageError(
      `Invalid value for ${what}: the folder of '${path}' does not exist or is not writable`,
    );
  }
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(absolute);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory() === true) {
    throw new UsageError(`Invalid value for ${what}: '${path}' is a folder`);
  }
  if (existing !== undefined && !force) {
    throw new UsageError(`${what} '${path}' already exists; pass --force to overwrite it`);
  }
  return absolute;
}
