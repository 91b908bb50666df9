import { CommanderError } from "commander";

import { SentryImportError, UsageError } from "../errors.ts";
import type { CliIo } from "./io.ts";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Maps whatever a command threw to an exit code and a message on stderr: 2 for usage errors
 * (as Click does), 1 for everything else. Commander already printed its own usage errors.
 * The message is one line; the stack (with causes) only in debug mode.
 */
export function reportError(error: unknown, io: CliIo, debug: boolean): number {
  if (error instanceof CommanderError) {
    const shownHelp = ["commander.helpDisplayed", "commander.version"].includes(error.code);
    return shownHelp || (error.code === "commander.help" && error.exitCode === 0)
      ? EXIT_OK
      : EXIT_USAGE;
  }
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (error instanceof UsageError) {
    io.stderr(`error: ${message}\n(add --help for usage)\n`);
    return EXIT_USAGE;
  }
  const code = error instanceof SentryImportError ? ` [${error.code}]` : "";
  io.stderr(`error: ${message}${debug ? code : ""}\n`);
  if (debug) {
    io.stderr(`${describeStack(error)}\n`);
  } else if (!(error instanceof SentryImportError)) {
    io.stderr("(unexpected error: rerun with --debug or SENTRY_IMPORT_DEBUG=1 for details)\n");
  }
  return EXIT_FAILURE;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

function describeStack(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    lines.push(
      depth === 0 ? "" : "caused by:",
      current instanceof Error ? (current.stack ?? current.message) : JSON.stringify(current),
    );
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.filter((line) => line !== "").join("\n");
}
