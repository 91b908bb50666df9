import { createHash } from "node:crypto";

/**
 * Seeded randomness for the stand-ins' chaos controls. Each decision is a hash of the seed and
 * what it is about (purpose, task, attempt), never a draw from one shared sequence: the same
 * seed then makes the same decisions whatever order concurrent deliveries happen to run in.
 */
export type Chance = (purpose: string, ...about: readonly (string | number)[]) => number;

/** A function returning a uniform number in [0, 1) for each distinct question. */
export function seededChance(seed: number | string): Chance {
  return (purpose, ...about) => {
    const digest = createHash("sha256")
      .update(JSON.stringify([String(seed), purpose, ...about]))
      .digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  };
}
