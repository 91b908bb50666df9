import { describe, expect, it } from "vitest";
import { ImportFailure } from "../../../lib/errors.ts";
import { findingFromError, formatFindingsJson, prettyFinding } from "../../../lib/findings.ts";

describe("findings", () => {
  it("writes an empty findings file as []", () => {
    expect(formatFindingsJson([])).toBe("[]");
  });

  it("writes sorted keys, two-space indent and ASCII-only text like Python's json.dumps", () => {
    const finding = findingFromError(
      new ImportFailure("ValidationError", "username is blank: ü", {
        on: { model: "sentry.user", ordinal: 1, position: 4 },
        leftPk: 2,
      }),
    );
    expect(formatFindingsJson([finding])).toBe(
      [
        "[",
        "  {",
        '    "finding": "RpcImportError",',
        '    "kind": "ValidationError",',
        '    "left_pk": 2,',
        '    "on": {',
        '      "model": "sentry.user",',
        '      "ordinal": 1',
        "    },",
        '    "reason": "username is blank: \\u00fc (position 4)",',
        '    "right_pk": null',
        "  }",
        "]",
      ].join("\n"),
    );
  });

  it("pretty-prints a finding the way Sentry does on stderr, omitting empty fields", () => {
    const finding = findingFromError(
      new ImportFailure("IntegrityError", "duplicate key", {
        on: { model: "sentry.email", ordinal: 1 },
      }),
    );
    expect(prettyFinding(finding)).toBe(
      "RpcImportError(\n    kind: IntegrityError,\n    on: InstanceID(model: 'sentry.email', ordinal: 1),\n    reason: duplicate key\n)",
    );
  });
});
