import { runCli } from "../lib/cli/main.ts";
import { removePendingTempFiles } from "../lib/format/atomicFile.ts";

// A closed pipe (`sentry-import … --help | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") {
      throw error;
    }
  });
}

// Interrupted mid-write: leave no half-written temporary file next to the destination.
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.once(signal, () => {
    removePendingTempFiles();
    process.exit(code);
  });
}

process.exitCode = await runCli(process.argv.slice(2));
