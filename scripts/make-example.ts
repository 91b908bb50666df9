/**
 * Regenerates the bundled example in `examples/` from the synthetic generator:
 *   npx tsx scripts/make-example.ts
 * The logic lives in test/support/synthetic/example.ts, which the type checker and linter cover.
 */
import { resolve } from "node:path";
import { writeExampleJson } from "../test/support/synthetic/example.ts";

const dir = resolve(import.meta.dirname, "../examples");
const json = await writeExampleJson(dir);
console.log(`wrote ${json}`);

// ENCRYPTED PART: the archive and its key are added with lib/format's writer in the next step.
