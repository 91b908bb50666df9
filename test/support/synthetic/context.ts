import { Rng, seedRoot, streamSeed } from "./prng.ts";
import {
  pkBase,
  resolveOptions,
  type ResolvedOptions,
  type SyntheticExportOptions,
} from "./options.ts";
import { FILE_ORDER, type SyntheticModel } from "./models.ts";

/** Stream purposes: one per kind of decision, so passes can recompute plans independently. */
export const STREAM = {
  identity: 1,
  email: 2,
  privileges: 3,
  permissions: 4,
  roleAssignments: 5,
  userOptions: 6,
  tokens: 7,
  authorizations: 8,
  authenticators: 9,
  userRow: 10,
  userEmailRow: 11,
  emailRow: 12,
  joined: 13,
  shared: 14,
  option: 20,
  controlOption: 21,
  relay: 22,
  relayUsage: 23,
  role: 24,
  organization: 25,
  project: 26,
  application: 27,
  site: 28,
  legacyMix: 29,
} as const;

export type Stream = (typeof STREAM)[keyof typeof STREAM];

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Everything a pass needs: the resolved options and derived constants. Immutable. */
export interface GenContext {
  readonly o: ResolvedOptions;
  readonly emailRows: boolean;
  readonly root: number;
  readonly epochMs: number;
  /** Milliseconds between consecutive users' `date_joined` (users span two years). */
  readonly joinStepMs: number;
  /** Distinct shared addresses; about three sharers each. */
  readonly poolSize: number;
  readonly projects: number;
  readonly applications: number;
}

export function makeContext(options: SyntheticExportOptions): GenContext {
  const o = resolveOptions(options);
  return {
    o,
    emailRows: o.emailRows ?? o.legacy !== false,
    root: seedRoot(o.seed),
    epochMs: Date.parse(o.epoch),
    joinStepMs: Math.max(1000, Math.floor((2 * YEAR_MS) / Math.max(1, o.users))),
    poolSize: Math.max(1, Math.round((o.users * o.sharedEmailFraction) / 3)),
    projects: o.organizations * 2,
    applications: 2,
  };
}

/** A fresh generator for (purpose, index). */
export function rngFor(ctx: GenContext, purpose: Stream, index: number): Rng {
  return new Rng(streamSeed(ctx.root, purpose, index));
}

/** Reseeds `rng` for (purpose, index): the allocation-free form for hot loops. */
export function reseed(rng: Rng, ctx: GenContext, purpose: Stream, index: number): Rng {
  return rng.reseed(streamSeed(ctx.root, purpose, index));
}

/** Whether the row `pk` of `model` uses the legacy encodings (decided per row when "mixed"). */
export function legacyRow(ctx: GenContext, model: SyntheticModel, pk: number): boolean {
  const mode = ctx.o.legacy;
  if (mode !== "mixed") {
    return mode;
  }
  const salt = Math.imul(FILE_ORDER.indexOf(model) + 1, 0x2545f491);
  return (streamSeed(ctx.root, STREAM.legacyMix, pk ^ salt) & 1) === 1;
}

export const pkOf = (ctx: GenContext, model: SyntheticModel, index: number): number =>
  pkBase(ctx.o, model) + index;
