import { runCli } from "../lib/cli/main.ts";

process.exitCode = await runCli(process.argv.slice(2));
