import { runCli } from "../lib/cli/main.ts";

// A closed pipe (`sentry-import … --help | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") {
      throw error;
    }
  });
}

process.exitCode = await runCli(process.argv.slice(2));
