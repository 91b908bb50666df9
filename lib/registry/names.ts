/** Model names used by the registry, as branded constants (`sentry.<model>`, lower case). */
import type { ModelName } from "./types.ts";

function name(n: string): ModelName {
  return n as ModelName;
}

export const CONTROL_OPTION = name("sentry.controloption");
export const OPTION = name("sentry.option");
export const RELAY = name("sentry.relay");
export const RELAY_USAGE = name("sentry.relayusage");
export const USER = name("sentry.user");
export const USER_PERMISSION = name("sentry.userpermission");
export const USER_ROLE = name("sentry.userrole");
export const USER_ROLE_USER = name("sentry.userroleuser");
export const EMAIL = name("sentry.email");
export const USER_OPTION = name("sentry.useroption");
export const USER_EMAIL = name("sentry.useremail");
export const API_TOKEN = name("sentry.apitoken");
export const API_AUTHORIZATION = name("sentry.apiauthorization");

// FK targets a Config import never imports (§6.2), and the side-effect / ledger models (§4)
export const ORGANIZATION = name("sentry.organization");
export const PROJECT = name("sentry.project");
export const API_APPLICATION = name("sentry.apiapplication");
export const LOST_PASSWORD_HASH = name("sentry.lostpasswordhash");
export const CONTROL_IMPORT_CHUNK = name("sentry.controlimportchunk");
export const REGION_IMPORT_CHUNK = name("sentry.regionimportchunk");
export const CONTROL_IMPORT_CHUNK_REPLICA = name("sentry.controlimportchunkreplica");
