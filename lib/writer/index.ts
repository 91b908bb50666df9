/** The write rule of each registry model (import-semantics.md §9). */
import {
  API_AUTHORIZATION,
  API_TOKEN,
  CONTROL_OPTION,
  EMAIL,
  OPTION,
  RELAY,
  RELAY_USAGE,
  USER,
  USER_EMAIL,
  USER_OPTION,
  USER_PERMISSION,
  USER_ROLE,
  USER_ROLE_USER,
} from "../registry/names.ts";
import { requireModel } from "../registry/registry.ts";
import type { ModelName } from "../registry/types.ts";
import { writeApiTokens } from "./apiTokens.ts";
import { writeEmails } from "./emails.ts";
import { overwritableWriter } from "./overwritable.ts";
import { plainInsertWriter } from "./plainInserts.ts";
import { writeUserEmails } from "./userEmails.ts";
import { writeUserOptions } from "./userOptions.ts";
import { writeUserRoleUsers } from "./userRoleUsers.ts";
import { writeUsers } from "./users.ts";
import type { ModelWriter } from "./types.ts";

const WRITERS: ReadonlyMap<ModelName, ModelWriter> = new Map([
  [CONTROL_OPTION, overwritableWriter(requireModel(CONTROL_OPTION))],
  [OPTION, overwritableWriter(requireModel(OPTION))],
  [RELAY, overwritableWriter(requireModel(RELAY))],
  [RELAY_USAGE, overwritableWriter(requireModel(RELAY_USAGE))],
  [USER_ROLE, overwritableWriter(requireModel(USER_ROLE))],
  [USER, writeUsers],
  [EMAIL, writeEmails],
  [USER_EMAIL, writeUserEmails],
  [USER_OPTION, writeUserOptions],
  [USER_PERMISSION, plainInsertWriter(requireModel(USER_PERMISSION))],
  [USER_ROLE_USER, writeUserRoleUsers],
  [API_TOKEN, writeApiTokens],
  [API_AUTHORIZATION, plainInsertWriter(requireModel(API_AUTHORIZATION))],
]);

export function writerFor(model: ModelName): ModelWriter {
  const writer = WRITERS.get(model);
  if (writer === undefined) {
    throw new Error(`no writer for ${model}`);
  }
  return writer;
}

export type { ImportFlags, ModelWriter, WritableRow, WriteContext } from "./types.ts";
