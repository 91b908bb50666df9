import { z } from "zod";
import { FILE_ORDER, type SyntheticModel } from "./models.ts";

const count = z.number().int().min(0);
const fraction = z.number().min(0).max(1);

/**
 * What to generate. Every field but `seed` and `users` has a default sized like a small
 * self-hosted instance; fractions are per-user probabilities.
 */
export const syntheticExportOptionsSchema = z.strictObject({
  /** Same seed and options ⇒ byte-identical output. */
  seed: z.union([z.number().int(), z.string()]),
  users: count,

  /**
   * Emit the legacy encodings of backup-format.md §10: double-encoded option values,
   * Python-literal permissions, JSON-text `scope_list`, datetimes without `.000`, no
   * `is_unclaimed` when false, the removed `is_suspended`, and `sentry.email` rows. `"mixed"`
   * encodes about half of the rows the legacy way, as Sentry's own fixtures mix formats. Only
   * the encoding changes: the same seed describes the same data in every mode.
   */
  legacy: z.union([z.boolean(), z.literal("mixed")]).default(false),
  /** Write `sentry.email` rows. Defaults to true whenever `legacy` is not false. */
  emailRows: z.boolean().optional(),
  /** Add rows a Config import must skip: sites.site, organizations, projects, authenticators, apps. */
  outOfScope: z.boolean().default(false),
  /**
   * Boundary users at pks 2–4: a 128-character username with a 200-character name, a name with
   * escapes and emoji, and a Sentry-app user (the admin at the first pk is always there).
   */
  edgeCases: z.boolean().default(true),
  /** Append rows whose FK target is missing from the file (they must be skipped silently). */
  danglingReferences: z.boolean().default(false),

  options: count.default(8),
  controlOptions: count.default(4),
  relays: count.default(2),
  /** At most this many `sentry.relayusage` versions per relay. */
  relayVersions: count.default(3),
  roles: count.default(3),
  /** Organizations referenced by org/project-scoped user options (and written with `outOfScope`). */
  organizations: z.number().int().min(1).default(3),

  staffFraction: fraction.default(0.02),
  superuserFraction: fraction.default(0.01),
  managedFraction: fraction.default(0.01),
  inactiveFraction: fraction.default(0.03),
  /** Sentry-app proxy users: empty email, already unclaimed. */
  sentryAppFraction: fraction.default(0.01),
  /** Users whose primary address is shared with other users. */
  sharedEmailFraction: fraction.default(0.1),
  /** Of those, how many spell the shared address with different letter case. */
  caseVariantFraction: fraction.default(0.3),
  secondaryEmailFraction: fraction.default(0.2),
  /** Probability of each global user-option key per user. */
  userOptionFraction: fraction.default(0.3),
  /** Users with org- or project-scoped options (skipped by a Config import). */
  scopedUserOptionFraction: fraction.default(0.1),
  /** Non-admin users with a UserPermission (staff and superusers get more). */
  permissionFraction: fraction.default(0.02),
  roleAssignmentFraction: fraction.default(0.05),
  tokenFraction: fraction.default(0.1),
  authorizationFraction: fraction.default(0.05),
  /** Users with a 2FA authenticator (only with `outOfScope`). */
  authenticatorFraction: fraction.default(0.05),

  /** First pk of each model; 1 when absent. Rows of a model have consecutive ascending pks. */
  pkBases: z.partialRecord(z.enum(FILE_ORDER), z.number().int().min(1)).default({}),
  /** The instant the synthetic instance was installed; all datetimes are after it. */
  epoch: z.iso.datetime().default("2023-06-22T00:00:00.000Z"),
});

export type SyntheticExportOptions = z.input<typeof syntheticExportOptionsSchema>;
export type ResolvedOptions = z.output<typeof syntheticExportOptionsSchema>;

export function resolveOptions(options: SyntheticExportOptions): ResolvedOptions {
  return syntheticExportOptionsSchema.parse(options);
}

export function pkBase(options: ResolvedOptions, model: SyntheticModel): number {
  return options.pkBases[model] ?? 1;
}
