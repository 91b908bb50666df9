/** `sentry.useroption` (§3.2, §9.5). */
import { fk, userOptionValue, varchar } from "../fields.ts";
import { defineModel } from "../model.ts";
import { ORGANIZATION, PROJECT, USER, USER_OPTION } from "../names.ts";

export const userOptionModel = defineModel({
  name: USER_OPTION,
  table: "sentry_useroption",
  silo: "Control",
  relocationScopes: ["User"],
  registryPosition: 121,
  registryOrder: 10,
  // global options (both scope ids null) are ordered by (user, key); others by pk
  customOrdinal: { keys: ["user", "key"], onlyWhenNull: ["organization_id", "project_id"] },
  uniques: [{ keys: ["key", "organization_id", "user"] }, { keys: ["key", "project_id", "user"] }],
  // production has this partial index outside Django; the importer enforces it in code
  applicationUniques: [
    { keys: ["key", "user"], where: { nullKeys: ["organization_id", "project_id"] } },
  ],
  collisionKey: null,
  relocationDependencies: [],
  fields: [
    fk("user", USER, { nullable: false }),
    fk("project_id", PROJECT, { nullable: true, kind: "HybridCloud" }),
    fk("organization_id", ORGANIZATION, { nullable: true, kind: "HybridCloud" }),
    varchar("key", 64),
    userOptionValue("value"),
  ],
});
