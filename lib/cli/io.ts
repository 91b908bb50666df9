/** Where the CLI writes and what it reads from its environment: injectable for in-process tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
}

/** `--debug` anywhere on the command line, or SENTRY_IMPORT_DEBUG=1, shows stack traces. */
export function debugEnabled(argv: readonly string[], io: CliIo): boolean {
  const flag = io.env["SENTRY_IMPORT_DEBUG"];
  return argv.includes("--debug") || flag === "1" || flag === "true";
}
