/**
 * Expected numbers, computed from the plans without building any JSON: how many rows each model
 * has in the file, and how many rows a Config import into an empty database leaves in each table
 * (default flags: no merge_users, no overwrite_configs).
 */
import { makeContext } from "./context.ts";
import type { ModelCounts } from "./generate.ts";
import { CONFIG_TABLES, type ConfigTable, type SyntheticModel } from "./models.ts";
import type { SyntheticExportOptions } from "./options.ts";
import { emailPlan, identity, privileges } from "./people.ts";
import { relayUsagePlan } from "./rows/config.ts";
import { AddressSeen } from "./rows/users.ts";
import {
  authenticatorPlan,
  authorizationPlan,
  isPersonalAuthorization,
  isPersonalToken,
  permissionPlan,
  roleAssignmentPlan,
  tokenPlan,
  userOptionPlan,
} from "./userData.ts";

export type TableCounts = Record<ConfigTable, number>;

export interface ExpectedCounts {
  /** Rows per model in the generated file (what `writeExportFile` reports). */
  readonly file: ModelCounts;
  /**
   * Rows per table after a Config import into an empty database:
   * - every user is inserted, with one `sentry_lostpasswordhash` each;
   * - one `sentry_useremail` per (user, exact address): the primary (which the user's own
   *   side effect creates) plus secondaries, also when they differ only in letter case;
   * - one `sentry_email` per address compared case-insensitively, including `""` of app users;
   * - only global user options (org/project ones are skipped);
   * - only personal tokens and authorizations (no application, no organization);
   * - rows with a missing FK target (`danglingReferences`) are skipped.
   */
  readonly tables: TableCounts;
}

export function expectedCounts(options: SyntheticExportOptions): ExpectedCounts {
  const ctx = makeContext(options);
  const { o } = ctx;
  const tables = Object.fromEntries(CONFIG_TABLES.map((t) => [t, 0])) as TableCounts;
  const file: Record<SyntheticModel, number> = {
    "sites.site": o.outOfScope ? 1 : 0,
    "sentry.controloption": o.controlOptions,
    "sentry.option": o.options,
    "sentry.organization": o.outOfScope ? o.organizations : 0,
    "sentry.relay": o.relays,
    "sentry.relayusage": 0,
    "sentry.user": o.users,
    "sentry.userpermission": 0,
    "sentry.userrole": o.roles,
    "sentry.userroleuser": 0,
    "sentry.project": o.outOfScope ? ctx.projects : 0,
    "sentry.email": 0,
    "sentry.authenticator": 0,
    "sentry.apiapplication": o.outOfScope ? ctx.applications : 0,
    "sentry.useroption": 0,
    "sentry.useremail": 0,
    "sentry.apitoken": 0,
    "sentry.apiauthorization": 0,
  };

  const seen = new AddressSeen(ctx.poolSize);
  for (let i = 0; i < o.users; i++) {
    const who = identity(ctx, i);
    const p = privileges(ctx, i, who.kind);
    const mail = emailPlan(ctx, i, who);
    const userEmails = mail.secondary === null ? 1 : 2;
    file["sentry.useremail"] += userEmails;
    tables.sentry_useremail += userEmails;
    const newAddresses =
      Number(seen.firstTime(mail.primaryKey)) +
      Number(mail.secondaryKey !== null && seen.firstTime(mail.secondaryKey));
    file["sentry.email"] += ctx.emailRows ? newAddresses : 0;
    tables.sentry_email += newAddresses;

    const permissions = permissionPlan(ctx, i, who.kind, p).length;
    file["sentry.userpermission"] += permissions;
    tables.sentry_userpermission += permissions;
    const assignments = roleAssignmentPlan(ctx, i, who.kind, p).length;
    file["sentry.userroleuser"] += assignments;
    tables.sentry_userrole_users += assignments;

    const userOptions = userOptionPlan(ctx, i, who.kind);
    file["sentry.useroption"] += userOptions.length;
    tables.sentry_useroption += userOptions.filter(
      (u) => u.organization === null && u.project === null,
    ).length;
    const tokens = tokenPlan(ctx, i, who.kind);
    file["sentry.apitoken"] += tokens.length;
    tables.sentry_apitoken += tokens.filter(isPersonalToken).length;
    const authorizations = authorizationPlan(ctx, i, who.kind);
    file["sentry.apiauthorization"] += authorizations.length;
    tables.sentry_apiauthorization += authorizations.filter(isPersonalAuthorization).length;
    file["sentry.authenticator"] += authenticatorPlan(ctx, i, who.kind).length;
  }

  const usages = relayUsagePlan(ctx).reduce((sum, u) => sum + u.versions, 0);
  file["sentry.relayusage"] = usages;
  if (o.danglingReferences) {
    file["sentry.userpermission"] += 1;
    file["sentry.useroption"] += 1;
    file["sentry.useremail"] += 1;
    file["sentry.apitoken"] += 1;
    file["sentry.userroleuser"] += o.users > 0 ? 1 : 0;
  }

  tables.auth_user = o.users;
  tables.sentry_lostpasswordhash = o.users;
  tables.sentry_userrole = o.roles;
  tables.sentry_option = o.options;
  tables.sentry_controloption = o.controlOptions;
  tables.sentry_relay = o.relays;
  tables.sentry_relayusage = usages;

  const nonEmpty = Object.entries(file).filter(([, n]) => n > 0);
  return { file: Object.fromEntries(nonEmpty), tables };
}

/** Just the table counts of a Config import into an empty database (see `expectedCounts`). */
export function expectedConfigImportCounts(options: SyntheticExportOptions): TableCounts {
  return expectedCounts(options).tables;
}
