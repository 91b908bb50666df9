/** Placeholder entry until the CLI lands: prints usage. */
export function runCli(argv: readonly string[]): Promise<number> {
  process.stdout.write(`sentry-import: not yet wired (${String(argv.length)} arguments)\n`);
  return Promise.resolve(0);
}
