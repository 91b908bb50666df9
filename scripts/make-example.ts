/**
 * Regenerates the bundled example in `examples/` from the synthetic generator:
 *   npx tsx scripts/make-example.ts            keeps examples/example-key.pem if present
 *   npx tsx scripts/make-example.ts --new-key  makes a fresh throwaway key pair
 * The logic lives in test/support/synthetic/example.ts, which the type checker and linter cover.
 */
import { resolve } from "node:path";
import { writeExampleArchive, writeExampleJson } from "../test/support/synthetic/example.ts";

const dir = resolve(import.meta.dirname, "../examples");
const json = await writeExampleJson(dir);
const { archive, key } = await writeExampleArchive(dir, {
  freshKey: process.argv.includes("--new-key"),
});
console.log(`wrote ${json}\nwrote ${archive} (encrypted for ${key})`);
