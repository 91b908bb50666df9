/**
 * The validation and planning pass (import-semantics.md §17 steps 1–6): streams the whole
 * export once, writes nothing, and rejects everything detectable without the database: a top
 * level that is not an array, malformed rows, split runs (decision c), duplicate pks, values that
 * cannot be read, failed validations. Because it consumes the whole plaintext, a decrypted
 * source's HMAC has been verified by the time it returns.
 */
import { ImportFailure } from "../errors.ts";
import { parseElement, readExportRows } from "../export/envelope.ts";
import type { ExportRow } from "../export/envelope.ts";
import { splitJsonArray } from "../export/splitter.ts";
import type { SplitOptions } from "../export/splitter.ts";
import { hasNaturalKeys, UserKeyIndex } from "../export/naturalKeys.ts";
import { parseRow } from "../export/rowParser.ts";
import type { ImportUuid } from "../ledger/key.ts";
import type { Plan } from "../planner/plan.ts";
import { planWithRegistry } from "../planner/registryPlan.ts";
import { RunDetector } from "../planner/runs.ts";
import type { ByteSource } from "../ports.ts";
import { EMAIL, USER, USER_EMAIL, USER_OPTION } from "../registry/names.ts";
import { getModel } from "../registry/registry.ts";
import { modelInScope } from "../registry/scopes.ts";
import type { ModelName } from "../registry/types.ts";
import type { ImportSettings } from "./importOptions.ts";
import { textOf } from "../writer/records.ts";
import { PkRecord } from "./pkRecord.ts";
import { UserOptionRunIndependence } from "./userOptionRunIndependence.ts";
import { UserEmailAddresses } from "./userEmailAddresses.ts";
import { UserRunIndependence } from "./userRunIndependence.ts";
import type { ChunkAddressLists } from "./addressesByChunk.ts";
import { ReferenceBounds } from "./chunkGates.ts";
import type { ImportGates } from "./chunkGates.ts";

/** What the plan pass found about writing the user run's chunks concurrently. */
export interface UserRunPlan {
  /** no two user rows collide by username, and nothing is outside ASCII */
  readonly independent: boolean;
  /** why not, when not */
  readonly reason: string | null;
  /**
   * chunk index → its users' addresses whose Email row an earlier chunk's user creates. The
   * importer deletes a chunk's entry once it has committed.
   */
  readonly addressesCreatedEarlier: ChunkAddressLists;
  /**
   * chunk index → its users' addresses that a user email of another user has too, which that
   * user email's chunk may create first (`UserRunIndependence.addressesInOtherUserEmails`)
   */
  readonly addressesInOtherUserEmails: ReadonlyMap<number, Float64Array>;
  /** the file has Email rows of its own (in scope): those create addresses too */
  readonly emailRowsInFile: boolean;
}

export interface PlannedImport {
  readonly plan: Plan;
  /** the derived email filter (§14): emails of the file's users passing the user filter */
  readonly emailFilter: readonly string[] | null;
  /** set when the file holds natural-key user references (decision f) */
  readonly userKeys: UserKeyIndex | null;
  /**
   * Where each run starts in the plaintext: the byte offset of its first element, keyed by that
   * element's position. A run's reader skips the bytes before it instead of cutting every
   * earlier element out of the export again.
   */
  readonly runOffsets: ReadonlyMap<number, number>;
  /** which chunks of earlier runs each chunk waits for (`chunkGates.ts`) */
  readonly gates: ImportGates;
  /** whether the user run's chunks may be written concurrently, and what they wait for */
  readonly userRun: UserRunPlan;
  /**
   * Per user-email chunk: addresses it leaves to the users' side effect
   * (`userEmailAddresses.ts`). The importer deletes a chunk's entry once it has committed.
   */
  readonly userEmailAddressesLeft: ChunkAddressLists;
  /** no global user option repeats for one user: the run's chunks may be written concurrently */
  readonly userOptionRunIndependent: boolean;
}

/** Catches a pk repeated within one run, cheaply: the run's pks, sorted at its end if need be. */
class DuplicatePkCheck {
  #model: ModelName | null = null;
  #pks = new PkRecord();
  #positions = new Map<number, number>();

  push(row: ExportRow): void {
    if (row.model !== this.#model) {
      this.finish();
      this.#model = row.model;
    }
    this.#pks.add(row.pk);
    if (!this.#pks.ascending) {
      // the latest position of each pk: when a pk turns out repeated, it is a repetition
      this.#positions.set(row.pk, row.position);
    }
  }

  finish(): void {
    if (!this.#pks.ascending) {
      const sorted = this.#pks.sorted();
      for (let i = 1; i < sorted.length; i += 1) {
        if (sorted[i] === sorted[i - 1]) {
          const pk = sorted[i] ?? 0;
          throw new ImportFailure(
            "InvalidExport",
            `${String(this.#model)} has the pk ${String(pk)} more than once`,
            {
              on: {
                model: this.#model,
                ordinal: null,
                position: this.#positions.get(pk) ?? null,
              },
              leftPk: pk,
            },
          );
        }
      }
    }
    this.#model = null;
    this.#pks = new PkRecord();
    this.#positions = new Map();
  }
}

/**
 * @param split how the export is cut into rows (`maxElementBytes`: larger rows are rejected
 *   instead of buffered); the splitter's defaults when absent
 */
export async function planImport(
  source: ByteSource,
  importUuid: ImportUuid,
  settings: ImportSettings,
  split: SplitOptions = {},
): Promise<PlannedImport> {
  const runs = new RunDetector();
  const pks = new DuplicatePkCheck();
  const ordinals = new Map<ModelName, number>();
  const usernames = settings.usernameFilter === null ? null : new Set(settings.usernameFilter);
  const emailFilter = usernames === null ? null : new Set<string>();
  const bounds = new ReferenceBounds(settings.chunkSize);
  const userRun = new UserRunIndependence({ lastChunks: settings.flags.mergeUsers });
  const userOptionRun = new UserOptionRunIndependence();
  const userEmailAddresses = new UserEmailAddresses(settings.chunkSize, settings.flags.mergeUsers);
  let naturalKeysSeen = false;
  let emailRowsInFile = false;

  const runOffsets = new Map<number, number>();
  let previousModel: string | null = null;
  for await (const element of splitJsonArray(source(), { ...split, parseBlocks: true })) {
    const row = parseElement(element);
    if (row.model !== previousModel) {
      runOffsets.set(row.position, element.byteOffset);
      previousModel = row.model;
    }
    runs.push(row.position, row.model);
    pks.push(row);
    const ordinal = (ordinals.get(row.model) ?? 0) + 1;
    ordinals.set(row.model, ordinal);
    const spec = getModel(row.model);
    if (spec === undefined || !modelInScope(spec, settings.scope)) {
      continue;
    }
    emailRowsInFile ||= spec.name === EMAIL;
    const parsed = parseRow(spec, row, ordinal);
    naturalKeysSeen ||= hasNaturalKeys(parsed);
    bounds.add(spec, ordinal, row.pk, parsed.values);
    if (spec.name === USER_OPTION) {
      userOptionRun.add(parsed.values);
    }
    if (spec.name === USER_EMAIL && ordinals.has(USER)) {
      const email = textOf(parsed.values, "email");
      userEmailAddresses.add(ordinal, email, userRun, bounds);
      userRun.noteUserEmail(email);
    }
    if (spec.name === USER) {
      const username = textOf(parsed.values, "username");
      const email = textOf(parsed.values, "email");
      if (usernames === null || usernames.has(username)) {
        userRun.add(username, email, Math.floor((ordinal - 1) / settings.chunkSize));
        emailFilter?.add(email);
      }
    }
  }
  pks.finish();
  const addressesInOtherUserEmails = userRun.addressesInOtherUserEmails();
  userRun.release();

  const plan = planWithRegistry({
    importUuid,
    scope: settings.scope,
    chunkSize: settings.chunkSize,
    runs: runs.finish(),
  });
  return {
    plan,
    emailFilter: emailFilter === null ? null : [...emailFilter],
    userKeys: naturalKeysSeen ? await indexUsers(source, split) : null,
    runOffsets,
    gates: bounds.gates(plan),
    userRun: {
      independent: userRun.independent,
      reason: userRun.reason,
      addressesCreatedEarlier: userRun.addressesCreatedEarlier,
      addressesInOtherUserEmails,
      emailRowsInFile,
    },
    userOptionRunIndependent: userOptionRun.independent,
    userEmailAddressesLeft: userEmailAddresses.left,
  };
}

/** A second, cheap pass that only runs for files with natural keys (23.x-era exports). */
async function indexUsers(source: ByteSource, split: SplitOptions): Promise<UserKeyIndex> {
  const index = new UserKeyIndex();
  for await (const row of readExportRows(source(), split)) {
    index.add(row);
  }
  return index;
}
