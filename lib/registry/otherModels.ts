/**
 * Sentry models that a Config or User import never writes, with their relocation scope, as
 * import-semantics.md §5 lists them. Knowing them lets the report say "not in this scope"
 * instead of "unknown", and keeps "unknown" for what really is unknown (another Django app, a
 * removed or newer model). Rows of these models are skipped either way.
 */
import type { ModelName, RelocationScope } from "./types.ts";

const ORGANIZATION = [
  "sentry.organization",
  "sentry.team",
  "sentry.organizationmember",
  "sentry.orgauthtoken",
  "sentry.recentsearch",
  "sentry.savedsearch",
  "sentry.monitor",
  "sentry.dashboardtombstone",
  "sentry.organizationoption",
  "sentry.organizationaccessrequest",
  "sentry.project",
  "sentry.projectbookmark",
  "sentry.projectkey",
  "sentry.projectownership",
  "sentry.projectredirect",
  "sentry.rule",
  "sentry.ruleactivity",
  "sentry.projectteam",
  "sentry.organizationmemberteam",
  "sentry.environment",
  "sentry.environmentproject",
  "sentry.dashboard",
  "sentry.counter",
  "sentry.projectoption",
  "sentry.dashboardwidget",
  "sentry.snubaquery",
  "sentry.snubaqueryeventtype",
  "sentry.querysubscription",
  "sentry.alertrule",
  "sentry.alertruleactivity",
  "sentry.rulesnooze",
  "sentry.dashboardwidgetquery",
  "sentry.alertruletrigger",
  "sentry.notificationaction",
  "sentry.notificationactionproject",
] as const;

const GLOBAL = [
  "sentry.apikey",
  "sentry.authprovider",
  "sentry.repository",
  "sentry.servicehook",
  "sentry.userip",
  "sentry.timeseriessnapshot",
  "sentry.authidentity",
  "sentry.authenticator",
  "sentry.apiapplication",
  "sentry.apigrant",
  "sentry.sentryapp",
  "sentry.sentryappcomponent",
  "sentry.sentryappinstallation",
  "sentry.incident",
  "sentry.pendingincidentsnapshot",
  "sentry.incidentsnapshot",
  "sentry.incidentactivity",
  "sentry.alertruletriggeraction",
  "sentry.incidenttrigger",
  "sentry.integration",
] as const;

const EXCLUDED = [
  "sentry.organizationmapping",
  "sentry.monitorlocation",
  "sentry.monitorenvironment",
  "sentry.lostpasswordhash",
  "sentry.controloutbox",
  "sentry.identity",
  "social_auth.usersocialauth",
  "sentry.useravatar",
] as const;

function entries(names: readonly string[], scope: RelocationScope): [ModelName, RelocationScope][] {
  return names.map((name) => [name as ModelName, scope]);
}

/** Known Sentry models outside the 13 Config-scope ones, with their relocation scope. */
export const OTHER_SENTRY_MODELS: ReadonlyMap<ModelName, RelocationScope> = new Map([
  ...entries(ORGANIZATION, "Organization"),
  ...entries(GLOBAL, "Global"),
  ...entries(EXCLUDED, "Excluded"),
]);
