/**
 * A corpus of malformed and borderline exports (import-semantics.md §13, §17, decisions c and f).
 * Each rejected case names the failure it must produce: kind, model, 1-based array position and
 * field where there is one, and words of the reason. Each accepted case says what a Config import
 * into an empty database leaves behind (nothing, unless stated).
 */
import { expect } from "vitest";
import type { ImportErrorKind } from "../../../lib/errors.ts";
import type { ImportReport } from "../../../lib/engine/runImport.ts";

type Fields = Record<string, unknown>;

interface Row {
  readonly model: string;
  readonly pk: unknown;
  readonly fields: unknown;
}

export function user(pk: number, fields: Fields = {}): Row {
  const username = `user${String(pk)}`;
  return {
    model: "sentry.user",
    pk,
    fields: {
      password: "pbkdf2_sha256$150000$salt$hash",
      last_login: null,
      username,
      name: "A User",
      email: `${username}@example.com`,
      is_staff: false,
      is_active: true,
      is_superuser: false,
      is_managed: false,
      is_sentry_app: null,
      is_password_expired: false,
      is_unclaimed: false,
      last_password_change: "2023-06-22T00:00:00.000Z",
      flags: "0",
      session_nonce: null,
      date_joined: "2023-06-22T00:00:00.000Z",
      last_active: null,
      avatar_type: 0,
      avatar_url: null,
      ...fields,
    },
  };
}

export function option(pk: number, fields: Fields = {}): Row {
  return {
    model: "sentry.option",
    pk,
    fields: {
      key: `option.${String(pk)}`,
      last_updated: "2023-06-22T00:00:00.000Z",
      last_updated_by: "unknown",
      value: "x",
      ...fields,
    },
  };
}

export function relay(pk: number, fields: Fields = {}): Row {
  return {
    model: "sentry.relay",
    pk,
    fields: {
      relay_id: `0a1b2c3d-0000-4000-8000-${String(pk).padStart(12, "0")}`,
      public_key: "i-80naPMhpTSoClFQorKTkNugchzTY1pHIBWx_3-0G3",
      first_seen: null,
      last_seen: null,
      is_internal: true,
      ...fields,
    },
  };
}

export function userOption(pk: number, fields: Fields = {}): Row {
  return {
    model: "sentry.useroption",
    pk,
    fields: {
      user: 1,
      project_id: null,
      organization_id: null,
      key: "timezone",
      value: "Europe/Vienna",
      ...fields,
    },
  };
}

export function userEmail(pk: number, fields: Fields = {}): Row {
  return {
    model: "sentry.useremail",
    pk,
    fields: {
      user: 1,
      email: "user1@example.com",
      validation_hash: "ULPPcXSO5jvsFb7LlgumC2F9nOSUTrj7",
      date_hash_added: "2023-06-22T00:00:00.000Z",
      is_verified: true,
      ...fields,
    },
  };
}

function json(rows: readonly unknown[]): string {
  return JSON.stringify(rows, null, 2);
}

/** A valid prefix: a user and two options, so every rejection below follows good rows. */
const GOOD = [user(1), option(1), option(2)] as const;

export interface RejectedCase {
  readonly name: string;
  readonly content: string | Uint8Array;
  readonly kind: ImportErrorKind;
  readonly model: string | null;
  /** 1-based position in the export array; null where the failure is not about one row */
  readonly position: number | null;
  readonly field?: string;
  readonly reason: RegExp;
  /** the splitter's row size limit for this case */
  readonly maxElementBytes?: number;
}

export interface AcceptedCase {
  readonly name: string;
  readonly content: string | Uint8Array;
  /** the tables that end up non-empty, with their counts; `{}` = nothing written */
  readonly written: Record<string, number>;
  readonly check?: (report: ImportReport) => void;
}

const LONG = (n: number): string => "x".repeat(n);

export const REJECTED: readonly RejectedCase[] = [
  {
    name: "top level is an object, not an array",
    content: JSON.stringify(user(1)),
    kind: "InvalidExport",
    model: null,
    position: null,
    reason: /top level is not a JSON array/,
  },
  {
    name: "top level is a string",
    content: '"[]"',
    kind: "InvalidExport",
    model: null,
    position: null,
    reason: /top level is not a JSON array/,
  },
  {
    name: "an empty file",
    content: "",
    kind: "InvalidExport",
    model: null,
    position: null,
    reason: /empty/,
  },
  {
    name: "a file of whitespace only",
    content: " \n\t\n",
    kind: "InvalidExport",
    model: null,
    position: null,
    reason: /empty/,
  },
  {
    name: "a number instead of a row",
    content: json([...GOOD, 42]),
    kind: "InvalidExport",
    model: null,
    position: 4,
    reason: /row 4 is not an object/,
  },
  {
    name: "an array instead of a row",
    content: json([...GOOD, [user(2)]]),
    kind: "InvalidExport",
    model: null,
    position: 4,
    reason: /row 4 is not an object/,
  },
  {
    name: "null instead of a row",
    content: json([null, ...GOOD]),
    kind: "InvalidExport",
    model: null,
    position: 1,
    reason: /row 1 is not an object/,
  },
  {
    name: "a row without model",
    content: json([...GOOD, { pk: 3, fields: {} }]),
    kind: "InvalidExport",
    model: null,
    position: 4,
    reason: /row 4 has no "model"/,
  },
  {
    name: "a row whose model is not a string",
    content: json([...GOOD, { model: 7, pk: 3, fields: {} }]),
    kind: "InvalidExport",
    model: null,
    position: 4,
    reason: /row 4 has no "model"/,
  },
  {
    name: "a row without pk",
    content: json([...GOOD, { model: "sentry.option", fields: option(3).fields }]),
    kind: "InvalidExport",
    model: "sentry.option",
    position: 4,
    reason: /row 4 \(sentry\.option\) has no integer "pk"/,
  },
  {
    name: "a pk that is a string",
    content: json([...GOOD, { ...option(3), pk: "3" }]),
    kind: "InvalidExport",
    model: "sentry.option",
    position: 4,
    reason: /has no integer "pk"/,
  },
  {
    name: "a pk that is a fraction",
    content: json([...GOOD, { ...option(3), pk: 3.5 }]),
    kind: "InvalidExport",
    model: "sentry.option",
    position: 4,
    reason: /has no integer "pk"/,
  },
  {
    name: "a row without fields",
    content: json([...GOOD, { model: "sentry.option", pk: 3 }]),
    kind: "InvalidExport",
    model: "sentry.option",
    position: 4,
    reason: /row 4 \(sentry\.option\) has no "fields" object/,
  },
  {
    name: "fields that are a list",
    content: json([...GOOD, { model: "sentry.option", pk: 3, fields: ["key", "value"] }]),
    kind: "InvalidExport",
    model: "sentry.option",
    position: 4,
    reason: /has no "fields" object/,
  },
  {
    name: "JSON truncated inside a row",
    content: json([...GOOD, option(3)]).slice(0, -40),
    kind: "DeserializationFailed",
    model: null,
    position: 4,
    reason: /truncated inside element 4/,
  },
  {
    name: "JSON truncated before the closing bracket",
    content: json([...GOOD]).slice(0, -1),
    kind: "DeserializationFailed",
    model: null,
    position: 3,
    reason: /truncated after element 3/,
  },
  {
    name: "garbage after the closing bracket",
    content: `${json([...GOOD])}\n{"model": "sentry.option"}`,
    kind: "DeserializationFailed",
    model: null,
    position: null,
    reason: /after the closing bracket/,
  },
  {
    name: "a row that is not valid JSON",
    content: `[${JSON.stringify(user(1))}, {"model": "sentry.option", pk: 1, "fields": {}}]`,
    kind: "DeserializationFailed",
    model: null,
    position: 2,
    reason: /element 2 is not valid JSON/,
  },
  {
    name: "two rows without a comma between them",
    content: `[${JSON.stringify(user(1))} ${JSON.stringify(option(1))}]`,
    kind: "DeserializationFailed",
    model: null,
    position: 1,
    reason: /expected ',' or ']' after element 1/,
  },
  {
    name: "invalid UTF-8 in a row",
    content: Buffer.concat([
      Buffer.from(
        `[${JSON.stringify(user(1))}, {"model": "sentry.option", "pk": 1, "fields": {"key": "`,
      ),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(`", "value": "x", "last_updated": "2023-06-22T00:00:00Z"}}]`),
    ]),
    kind: "DeserializationFailed",
    model: null,
    position: 2,
    reason: /UTF-8/,
  },
  {
    name: "a string in an integer foreign key",
    content: json([...GOOD, userOption(1, { user: "1" })]),
    kind: "DeserializationFailed",
    model: "sentry.useroption",
    position: 4,
    field: "user",
    reason: /sentry\.useroption user/,
  },
  {
    name: "a number as username",
    content: json([user(1, { username: 12345 }), option(1)]),
    kind: "DeserializationFailed",
    model: "sentry.user",
    position: 1,
    field: "username",
    reason: /sentry\.user username/,
  },
  {
    name: "a boolean as a datetime",
    content: json([...GOOD, option(3, { last_updated: true })]),
    kind: "DeserializationFailed",
    model: "sentry.option",
    position: 4,
    field: "last_updated",
    reason: /sentry\.option last_updated/,
  },
  {
    name: '"not-a-date" as a datetime',
    content: json([user(1, { date_joined: "not-a-date" })]),
    kind: "DeserializationFailed",
    model: "sentry.user",
    position: 1,
    field: "date_joined",
    reason: /sentry\.user date_joined/,
  },
  {
    name: "null in a NOT NULL field",
    content: json([...GOOD, option(3, { key: null })]),
    kind: "DeserializationFailed",
    model: "sentry.option",
    position: 4,
    field: "key",
    reason: /may not be null/,
  },
  {
    name: "a NUL character in a username",
    content: json([...GOOD, user(2, { username: "nul\u0000user" })]),
    kind: "ValidationError",
    model: "sentry.user",
    position: 4,
    field: "username",
    reason: /U\+0000/,
  },
  {
    name: "a NUL character inside a user option's JSON value",
    content: json([...GOOD, userOption(1, { key: "prefs", value: { digest: ["a\u0000"] } })]),
    kind: "ValidationError",
    model: "sentry.useroption",
    position: 4,
    field: "value",
    reason: /U\+0000/,
  },
  {
    name: "a NUL character in a role's permission",
    content: json([
      ...GOOD,
      {
        model: "sentry.userrole",
        pk: 1,
        fields: {
          name: "Admin",
          permissions: ["users.admin", "options\u0000admin"],
          date_updated: "2023-06-22T00:00:00Z",
          date_added: null,
        },
      },
    ]),
    kind: "ValidationError",
    model: "sentry.userrole",
    position: 4,
    field: "permissions",
    reason: /U\+0000/,
  },
  {
    name: "an unpaired surrogate in a name",
    content: `[${JSON.stringify(option(1))}, ${JSON.stringify(user(1)).replace('"name":"A User"', '"name":"A \\ud83d User"')}]`,
    kind: "ValidationError",
    model: "sentry.user",
    position: 2,
    field: "name",
    reason: /unpaired surrogate \(U\+D83D\)/,
  },
  {
    name: "a username of 129 characters",
    content: json([user(1, { username: LONG(129) })]),
    kind: "ValidationError",
    model: "sentry.user",
    position: 1,
    field: "username",
    reason: /at most 128 characters \(it has 129\)/,
  },
  {
    name: "a blank username",
    content: json([...GOOD, user(2, { username: "" })]),
    kind: "ValidationError",
    model: "sentry.user",
    position: 4,
    field: "username",
    reason: /cannot be blank/,
  },
  {
    name: "a missing username (invalid-user.json)",
    content: json([
      {
        model: "sentry.user",
        pk: 1,
        fields: { ...(user(1).fields as Fields), username: undefined, doesnotexist: "x" },
      },
    ]),
    kind: "ValidationError",
    model: "sentry.user",
    position: 1,
    field: "username",
    reason: /cannot be blank/,
  },
  {
    name: "a name of 201 characters",
    content: json([user(1, { name: LONG(201) })]),
    kind: "ValidationError",
    model: "sentry.user",
    position: 1,
    field: "name",
    reason: /at most 200 characters/,
  },
  {
    name: "an option key of 129 characters",
    content: json([...GOOD, option(3, { key: LONG(129) })]),
    kind: "ValidationError",
    model: "sentry.option",
    position: 4,
    field: "key",
    reason: /at most 128 characters \(it has 129\)/,
  },
  {
    name: "a relay_id of 65 characters",
    content: json([...GOOD, relay(1, { relay_id: LONG(65) })]),
    kind: "ValidationError",
    model: "sentry.relay",
    position: 4,
    field: "relay_id",
    reason: /at most 64 characters \(it has 65\)/,
  },
  {
    name: "an invalid timezone user option (MiddleEarth/Gondor)",
    content: json([...GOOD, userOption(1, { value: "MiddleEarth/Gondor" })]),
    kind: "ValidationError",
    model: "sentry.useroption",
    position: 4,
    field: "value",
    reason: /MiddleEarth\/Gondor/,
  },
  {
    name: "an invalid language user option",
    content: json([...GOOD, userOption(1, { key: "language", value: "klingon" })]),
    kind: "ValidationError",
    model: "sentry.useroption",
    position: 4,
    field: "value",
    reason: /klingon.*language/,
  },
  {
    name: "an invalid theme user option",
    content: json([...GOOD, userOption(1, { key: "theme", value: "sepia" })]),
    kind: "ValidationError",
    model: "sentry.useroption",
    position: 4,
    field: "value",
    reason: /sepia.*theme/,
  },
  {
    name: "one model in two runs (sentry.option at rows 1–2 and 5–5)",
    content: json([option(1), option(2), user(1), user(2), option(3)]),
    kind: "NonContiguousModelRun",
    model: "sentry.option",
    // where the second run starts
    position: 5,
    reason: /sentry\.option.*1–2.*5–5/,
  },
  {
    name: "a pk repeated within a model",
    content: json([...GOOD, option(1, { key: "another" })]),
    kind: "InvalidExport",
    model: "sentry.option",
    position: 4,
    reason: /sentry\.option has the pk 1 more than once/,
  },
  {
    name: "a pk repeated after the pks stopped ascending",
    content: json([option(9), option(1, { key: "a" }), option(2), option(1, { key: "b" })]),
    kind: "InvalidExport",
    model: "sentry.option",
    position: 4,
    reason: /pk 1 more than once/,
  },
  {
    name: "a bad row far behind many good ones",
    content: json([
      ...Array.from({ length: 60 }, (_, i) => user(i + 1)),
      ...Array.from({ length: 60 }, (_, i) => userOption(i + 1, { user: i + 1 })),
      userOption(61, { user: 1, key: "theme", value: 3 }),
    ]),
    kind: "ValidationError",
    model: "sentry.useroption",
    position: 121,
    field: "value",
    reason: /theme/,
  },
  {
    name: "a row larger than the splitter's limit",
    content: json([...GOOD, option(3, { value: LONG(5000) })]),
    maxElementBytes: 4096,
    kind: "DeserializationFailed",
    model: null,
    position: 4,
    reason: /element 4 is larger than 4096 bytes/,
  },
];

export const ACCEPTED: readonly AcceptedCase[] = [
  {
    name: "an empty array",
    content: "[]",
    written: {},
    check: (report) => {
      expect(report.plan.runs).toEqual([]);
      expect(report.summary.models).toEqual([]);
    },
  },
  {
    name: "an empty array with a byte-order mark and whitespace",
    content: "\uFEFF \n[ ]\n",
    written: {},
  },
  {
    name: "unknown models only",
    content: json([
      { model: "sites.site", pk: 1, fields: { domain: "example.com", name: "example.com" } },
      { model: "sentry.doesnotexist", pk: 1, fields: { anything: [1, 2, 3] } },
      { model: "sentry.actor", pk: 1, fields: { type: 1 } },
    ]),
    written: {},
    check: (report) => {
      expect(report.summary.skippedModels.map((s) => s.model)).toEqual([
        "sites.site",
        "sentry.doesnotexist",
        "sentry.actor",
      ]);
      expect(report.summary.models).toEqual([]);
    },
  },
  {
    name: "out-of-scope rows with values a Config import never reads",
    content: json([
      { model: "sentry.organization", pk: 1, fields: { slug: 12, date_added: "not-a-date" } },
      { model: "sentry.authenticator", pk: 1, fields: { user: "nobody", type: true } },
    ]),
    written: {},
    check: (report) => {
      expect(report.summary.skippedModels.map((s) => s.model)).toEqual([
        "sentry.organization",
        "sentry.authenticator",
      ]);
    },
  },
  {
    name: "rows whose foreign key names a user that is not in the file",
    content: json([
      userOption(1, { user: 99 }),
      userEmail(1, { user: 99 }),
      { model: "sentry.userpermission", pk: 1, fields: { user: 99, permission: "users.admin" } },
    ]),
    written: {},
    check: (report) => {
      expect(report.summary.models.map((m) => [m.model, m.skipped])).toEqual([
        ["sentry.useroption", 1],
        ["sentry.useremail", 1],
        ["sentry.userpermission", 1],
      ]);
      expect(report.unresolvedReferences).toEqual([]);
    },
  },
  {
    name: "a good user next to rows pointing at a missing user",
    content: json([
      user(1),
      userOption(1, { user: 99 }),
      userOption(2, { user: 1 }),
      userEmail(1, { user: 98 }),
    ]),
    written: {
      "public.auth_user": 1,
      "public.sentry_useremail": 1,
      "public.sentry_email": 1,
      "public.sentry_lostpasswordhash": 1,
      "public.sentry_useroption": 1,
      // the user's chunk and the user-option chunk; the user-email chunk recorded nothing
      "public.sentry_controlimportchunk": 2,
      "public.sentry_controlimportchunkreplica": 2,
      "sentry_import.pk_map": 1, // the user: options are no FK target
    },
    check: (report) => {
      expect(report.summary.models.find((m) => m.model === "sentry.useroption")).toMatchObject({
        inserted: 1,
        skipped: 1,
      });
    },
  },
  {
    name: "a natural-key user reference that matches no user",
    content: json([userOption(1, { user: ["nobody@example.com"] })]),
    written: {},
    check: (report) => {
      expect(report.unresolvedReferences).toEqual([
        expect.objectContaining({
          model: "sentry.useroption",
          pk: 1,
          position: 1,
          field: "user",
          key: "nobody@example.com",
        }),
      ]);
    },
  },
  {
    name: "a natural-key reference next to a user it does not name",
    content: json([
      user(1),
      userOption(1, { user: ["user2"] }),
      userOption(2, { user: ["user1"] }),
    ]),
    written: {
      "public.auth_user": 1,
      "public.sentry_useremail": 1,
      "public.sentry_email": 1,
      "public.sentry_lostpasswordhash": 1,
      "public.sentry_useroption": 1,
      "public.sentry_controlimportchunk": 2,
      "public.sentry_controlimportchunkreplica": 2,
      "sentry_import.pk_map": 1, // the user: options are no FK target
    },
    check: (report) => {
      expect(report.unresolvedReferences).toEqual([
        expect.objectContaining({ model: "sentry.useroption", position: 2, key: "user2" }),
      ]);
    },
  },
  {
    name: "a NUL character in an option value (stored as JSON text, escaped)",
    content: json([option(1, { value: "before\u0000after" })]),
    written: {
      "public.sentry_option": 1,
      "public.sentry_regionimportchunk": 1,
    },
  },
  {
    name: "a single valid user (the corpus's rows are themselves importable)",
    content: json([user(1), option(1), relay(1), userOption(1), userEmail(1)]),
    written: {
      "public.auth_user": 1,
      "public.sentry_useremail": 1,
      "public.sentry_email": 1,
      "public.sentry_lostpasswordhash": 1,
      "public.sentry_option": 1,
      "public.sentry_relay": 1,
      "public.sentry_useroption": 1,
      "public.sentry_regionimportchunk": 2,
      "public.sentry_controlimportchunk": 3,
      "public.sentry_controlimportchunkreplica": 3,
      "sentry_import.pk_map": 1, // the user
    },
  },
];
