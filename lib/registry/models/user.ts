/** `sentry.user` → `auth_user` (§3.2). */
import { bitfield, boolean, datetime, generated, smallint, value, varchar } from "../fields.ts";
import { defineModel } from "../model.ts";
import { USER } from "../names.ts";

/** Sentry's `MAX_USERNAME_LENGTH`. */
export const MAX_USERNAME_LENGTH = 128;
/** The `name` field's limit, checked by validation before the column would reject it. */
export const MAX_USER_NAME_LENGTH = 200;

export const userModel = defineModel({
  name: USER,
  table: "auth_user",
  silo: "Control",
  relocationScopes: ["User"],
  registryPosition: 42,
  registryOrder: 5,
  customOrdinal: { keys: ["username"] },
  uniques: [{ keys: ["username"] }],
  // not an overwritable config model: collisions are handled by §9.1 (suffix or merge)
  collisionKey: null,
  relocationDependencies: [],
  fields: [
    // always replaced in a Config import (decision e), but read and length-checked anyway
    varchar("password", 128),
    datetime("last_login", { nullable: true, default: value(null) }),
    varchar("username", MAX_USERNAME_LENGTH),
    // legacy column name: the JSON key is `name`, the column `first_name`
    varchar("name", MAX_USER_NAME_LENGTH, { column: "first_name", default: value("") }),
    varchar("email", 75, { default: value("") }),
    boolean("is_staff", { default: value(false) }),
    boolean("is_active", { default: value(true) }),
    // absent in 23.x exports
    boolean("is_unclaimed", { default: value(false) }),
    boolean("is_superuser", { default: value(false) }),
    boolean("is_managed", { default: value(false) }),
    boolean("is_sentry_app", { nullable: true, default: value(null) }),
    boolean("is_password_expired", { default: value(false) }),
    datetime("last_password_change", { nullable: true, default: value(null) }),
    // bit 0 = newsletter_consent_prompt; the column allows NULL, the default is 0
    bitfield("flags", { nullable: true, default: value("0") }),
    varchar("session_nonce", 12, { nullable: true, default: value(null) }),
    datetime("date_joined", { default: generated("now") }),
    datetime("last_active", { nullable: true, default: generated("now") }),
    // 0 letter_avatar, 1 upload, 2 gravatar; CHECK (avatar_type >= 0)
    smallint("avatar_type", { default: value(0), min: 0 }),
    varchar("avatar_url", 120, { nullable: true, default: value(null) }),
  ],
});
