import { describe, expect, it } from "vitest";
import { ImportFailure } from "../../../lib/errors.ts";
import { parseRow } from "../../../lib/export/rowParser.ts";
import { requireModel } from "../../../lib/registry/registry.ts";
import { toModelName } from "../../../lib/registry/types.ts";

describe("row errors on secret fields", () => {
  it("name the field but never quote a password or token value", () => {
    const secret = ["pbkdf2_sha256", "260000", "salt", "hash"];
    const attempts = [
      { model: "sentry.user", fields: { username: "u", password: secret } },
      { model: "sentry.apitoken", fields: { user: 1, token: secret } },
    ];
    for (const { model, fields } of attempts) {
      let failure: unknown;
      try {
        parseRow(requireModel(model), { position: 1, model: toModelName(model), pk: 1, fields }, 1);
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(ImportFailure);
      expect((failure as ImportFailure).message).not.toContain("pbkdf2_sha256");
      expect((failure as ImportFailure).on.field).toBeDefined();
    }
  });
});
