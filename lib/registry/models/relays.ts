/** `sentry.relay` and `sentry.relayusage` (§3.2): linked by `relay_id` value only, no FK. */
import { boolean, datetime, generated, value, varchar } from "../fields.ts";
import { defineModel } from "../model.ts";
import { RELAY, RELAY_USAGE } from "../names.ts";

export const relayModel = defineModel({
  name: RELAY,
  table: "sentry_relay",
  silo: "Region",
  relocationScopes: ["Config"],
  registryPosition: 33,
  registryOrder: 3,
  customOrdinal: { keys: ["relay_id"] },
  uniques: [{ keys: ["relay_id"] }],
  collisionKey: ["relay_id"],
  relocationDependencies: [],
  fields: [
    varchar("relay_id", 64),
    varchar("public_key", 200),
    // unused legacy columns, kept as imported
    datetime("first_seen", { nullable: true, default: value(null) }),
    datetime("last_seen", { nullable: true, default: value(null) }),
    boolean("is_internal", { nullable: true, default: value(null) }),
  ],
});

export const relayUsageModel = defineModel({
  name: RELAY_USAGE,
  table: "sentry_relayusage",
  silo: "Region",
  relocationScopes: ["Config"],
  registryPosition: 34,
  registryOrder: 4,
  customOrdinal: { keys: ["relay_id", "version"] },
  uniques: [{ keys: ["relay_id", "version"] }],
  collisionKey: ["relay_id", "version"],
  relocationDependencies: [],
  fields: [
    varchar("relay_id", 64),
    varchar("version", 32, { default: value("0.0.1") }),
    datetime("first_seen", { default: generated("now") }),
    datetime("last_seen", { default: generated("now") }),
    varchar("public_key", 200, { nullable: true, default: value(null) }),
  ],
});
