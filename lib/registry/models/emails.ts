/** `sentry.email` and `sentry.useremail` (§3.2). */
import { boolean, citext, datetime, fk, generated, value, varchar } from "../fields.ts";
import { defineModel } from "../model.ts";
import { EMAIL, USER, USER_EMAIL } from "../names.ts";

export const emailModel = defineModel({
  name: EMAIL,
  table: "sentry_email",
  silo: "Control",
  relocationScopes: ["User"],
  registryPosition: 84,
  registryOrder: 9,
  customOrdinal: { keys: ["email"] },
  uniques: [{ keys: ["email"], caseInsensitive: true }],
  collisionKey: null,
  // ordering only: emails come after users (§6.1)
  relocationDependencies: [USER],
  fields: [
    // citext has no length limit; Sentry's forms stop at 200 (older code 75), the importer does not
    citext("email", { advisoryMaxLength: 200 }),
    datetime("date_added", { default: generated("now") }),
  ],
});

export const userEmailModel = defineModel({
  name: USER_EMAIL,
  table: "sentry_useremail",
  silo: "Control",
  relocationScopes: ["User"],
  registryPosition: 122,
  registryOrder: 11,
  customOrdinal: { keys: ["user", "email"] },
  uniques: [{ keys: ["email", "user"] }],
  collisionKey: null,
  relocationDependencies: [EMAIL],
  fields: [
    fk("user", USER, { nullable: false }),
    // exact match, not citext
    varchar("email", 200),
    varchar("validation_hash", 32, { default: generated("randomAlnum32") }),
    datetime("date_hash_added", { default: generated("now") }),
    boolean("is_verified", { default: value(false) }),
  ],
});
