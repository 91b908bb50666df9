import { describe, expect, it } from "vitest";
import { coerceError, ImportFailure } from "../../lib/errors.ts";

describe("errors", () => {
  it("keeps Sentry's finding fields on an import failure", () => {
    const failure = new ImportFailure("ValidationError", "username is blank", {
      on: { model: "sentry.user", ordinal: 1, position: 3 },
      leftPk: 7,
    });
    expect(failure.code).toBe("ValidationError");
    expect(failure.on.model).toBe("sentry.user");
    expect(failure.leftPk).toBe(7);
    expect(failure.rightPk).toBeNull();
    expect(failure.name).toBe("ImportFailure");
  });

  it("coerces a thrown non-error into an Error with the original as cause", () => {
    const error = coerceError("boom");
    expect(error.message).toBe("boom");
    expect(error.cause).toBe("boom");
  });
});
