/**
 * How one chunk delivery ended (conventions.md §2, convention 7). Functions map it to the
 * platform in one exhaustive switch: only `retry` becomes a 5xx/429 (Cloud Tasks retries any
 * non-2xx), `rejected` is recorded and acknowledged, the other three are successes.
 */
import type { ImportFailure } from "./errors.ts";
import type { ChunkResult } from "./ledger/result.ts";

export type ChunkOutcome =
  /** this delivery wrote the rows and the ledger row */
  | { readonly kind: "imported"; readonly result: ChunkResult }
  /** an earlier delivery had already written it; nothing was written now */
  | { readonly kind: "alreadyImported"; readonly result: ChunkResult }
  /** a concurrent delivery committed first; its ledger row is the result */
  | { readonly kind: "lostRace"; readonly result: ChunkResult }
  /** the chunk can never succeed as it is (a finding); retrying would not help */
  | { readonly kind: "rejected"; readonly failure: ImportFailure }
  /** a transient condition; the same delivery may succeed later */
  | { readonly kind: "retry"; readonly reason: string }
  /**
   * Only for a request with `concurrentSiblings`: a row needs what is safe only with the run's
   * chunks in ordinal order (a suffixed username). Nothing was written; deliver the chunk again,
   * without the flag, once the run's earlier chunks have committed.
   */
  | { readonly kind: "needsOrder"; readonly reason: string };

export type ChunkOutcomeKind = ChunkOutcome["kind"];

export type SuccessfulChunkOutcome = Extract<ChunkOutcome, { readonly result: ChunkResult }>;

export function isSuccessful(outcome: ChunkOutcome): outcome is SuccessfulChunkOutcome {
  switch (outcome.kind) {
    case "imported":
    case "alreadyImported":
    case "lostRace":
      return true;
    case "rejected":
    case "retry":
    case "needsOrder":
      return false;
  }
}
