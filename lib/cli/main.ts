import { Command } from "commander";

import { registerBackupCommand } from "./backupCommand.ts";
import { registerImportCommands } from "./importCommand.ts";
import { registerStatusCommand } from "./statusCommand.ts";
import { registerEmulateCommand } from "./emulateCommand.ts";
import { debugEnabled, processIo, type CliIo } from "./io.ts";
import { EXIT_OK, reportError } from "./reportError.ts";

/**
 * A top-level command lives in its own module and registers itself on the root program. Add
 * `config`, `users`, `status`, `emulate`, … by appending to this list.
 */
export type CommandModule = (program: Command, io: CliIo) => void;

const COMMAND_MODULES: readonly CommandModule[] = [
  registerImportCommands,
  registerStatusCommand,
  registerEmulateCommand,
  registerBackupCommand,
];

/** The root program; commands inherit its output, exit and error-help settings. */
export function buildProgram(io: CliIo): Command {
  const program = new Command("sentry-import")
    .description("Restore Sentry configuration backups (and work with Sentry's backup files)")
    .option("--debug", "show stack traces on failure (also SENTRY_IMPORT_DEBUG=1)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        io.stdout(text);
      },
      writeErr: (text) => {
        io.stderr(text);
      },
    })
    .showHelpAfterError("(add --help for usage)");
  for (const register of COMMAND_MODULES) {
    register(program, io);
  }
  return program;
}

/** Runs the CLI and returns its exit code: 0 success, 1 failure, 2 usage error. Never exits. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io, debugEnabled(argv, io));
  }
}
