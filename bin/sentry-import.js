#!/usr/bin/env node
// Runs the TypeScript CLI without a build step: Node >= 22.18 strips types natively, and an older
// Node (the machine's own) goes through tsx.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import("./cli.ts");
