import { describe, expect, it } from "vitest";
import { classifySqlState, parseKeyColumns, toDbError } from "../../../lib/adapters/pg/errors.ts";
import { DbError, isDuplicateKey } from "../../../lib/errors.ts";

/** The fields node-postgres and PGlite copy from the server's ErrorResponse. */
function serverError(fields: Record<string, string>): Error {
  return Object.assign(new Error(fields["message"] ?? "server error"), fields);
}

describe("classifySqlState", () => {
  it.each([
    ["40001", "retryable"], // serialization_failure
    ["40P01", "retryable"], // deadlock_detected
    ["08006", "retryable"], // connection_failure
    ["08003", "retryable"], // connection_does_not_exist
    ["57P01", "retryable"], // admin_shutdown (pg_terminate_backend)
    ["57014", "retryable"], // query_canceled (statement_timeout)
    ["53300", "retryable"], // too_many_connections
    ["23505", "duplicate"], // unique_violation
    ["42P07", "duplicate"], // duplicate_table
    ["42P06", "duplicate"], // duplicate_schema
    ["42710", "duplicate"], // duplicate_object
    ["23503", "integrity"], // foreign_key_violation
    ["23502", "integrity"], // not_null_violation
    ["23514", "integrity"], // check_violation
    ["22001", "data"], // string_data_right_truncation
    ["22P02", "data"], // invalid_text_representation
    ["22003", "data"], // numeric_value_out_of_range
    ["42601", "other"], // syntax_error
    ["42P01", "other"], // undefined_table
    ["25P02", "other"], // in_failed_sql_transaction
    ["57P04", "other"], // database_dropped: not transient
  ])("classifies %s as %s", (sqlstate, expected) => {
    expect(classifySqlState(sqlstate)).toBe(expected);
  });
});

describe("toDbError", () => {
  it("keeps the constraint, table and key columns of a unique violation", () => {
    const error = toDbError(
      serverError({
        message:
          'duplicate key value violates unique constraint "sentry_useremail_user_id_email_uniq"',
        code: "23505",
        constraint: "sentry_useremail_user_id_email_uniq",
        schema: "public",
        table: "sentry_useremail",
        detail: "Key (user_id, email)=(1, a@example.com) already exists.",
      }),
    );
    expect(error).toBeInstanceOf(DbError);
    expect(error.classification).toBe("duplicate");
    expect(error.sqlstate).toBe("23505");
    expect(error.constraint).toBe("sentry_useremail_user_id_email_uniq");
    expect(error.table).toBe("sentry_useremail");
    expect(error.schema).toBe("public");
    expect(error.columns).toEqual(["user_id", "email"]);
  });

  it("never copies the detail, which quotes row values, into the message", () => {
    const error = toDbError(
      serverError({
        message: 'duplicate key value violates unique constraint "x"',
        code: "23505",
        detail: "Key (email)=(secret@example.com) already exists.",
      }),
    );
    expect(error.message).not.toContain("secret@example.com");
    expect(JSON.stringify(error.context)).not.toContain("secret@example.com");
  });

  it("takes the column of a NOT NULL violation from `column`", () => {
    const error = toDbError(serverError({ code: "23502", table: "auth_user", column: "username" }));
    expect(error.classification).toBe("integrity");
    expect(error.columns).toEqual(["username"]);
  });

  it("classifies a dropped connection without SQLSTATE as retryable", () => {
    expect(toDbError(new Error("Connection terminated unexpectedly")).classification).toBe(
      "retryable",
    );
    expect(
      toDbError(
        Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      ).classification,
    ).toBe("retryable");
  });

  it("classifies an unknown failure as other and keeps it as the cause", () => {
    const original = new Error("something odd");
    const error = toDbError(original);
    expect(error.classification).toBe("other");
    expect(error.sqlstate).toBeNull();
    expect(error.cause).toBe(original);
  });

  it("returns a DbError unchanged", () => {
    const error = new DbError("data", "value too long", { sqlstate: "22001" });
    expect(toDbError(error)).toBe(error);
  });

  it("ignores a `code` that is not a SQLSTATE", () => {
    const error = toDbError(Object.assign(new Error("odd"), { code: "ERR_SOMETHING" }));
    expect(error.sqlstate).toBeNull();
    expect(error.classification).toBe("other");
  });
});

describe("parseKeyColumns", () => {
  it.each([
    ["Key (username)=(admin) already exists.", ["username"]],
    ["Key (user_id, email)=(1, a@b) already exists.", ["user_id", "email"]],
    [
      "Key (import_uuid, model, min_ordinal)=(6f1c…, sentry.user, 1) already exists.",
      ["import_uuid", "model", "min_ordinal"],
    ],
    ['Key ("weird, name", user_id)=(x, 1) already exists.', ["weird, name", "user_id"]],
    ["Key (lower(email::text))=(a@b) already exists.", ["lower(email::text)"]],
    ['Key (user_id)=(5) is not present in table "auth_user".', ["user_id"]],
    ["Failing row contains (1, null).", []],
    ["Key (broken", []],
  ])("reads %s", (detail, expected) => {
    expect(parseKeyColumns(detail)).toEqual(expected);
  });
});

describe("isDuplicateKey", () => {
  const ledgerRace = new DbError("duplicate", "duplicate key", {
    sqlstate: "23505",
    table: "sentry_controlimportchunk",
    columns: ["import_uuid", "model", "min_ordinal"],
  });

  it("recognises the ledger key whatever the constraint is called", () => {
    expect(
      isDuplicateKey(ledgerRace, "sentry_controlimportchunk", [
        "import_uuid",
        "model",
        "min_ordinal",
      ]),
    ).toBe(true);
  });

  it("tells a data collision from the ledger race", () => {
    const collision = new DbError("duplicate", "duplicate key", {
      sqlstate: "23505",
      table: "auth_user",
      columns: ["username"],
    });
    expect(
      isDuplicateKey(collision, "sentry_controlimportchunk", [
        "import_uuid",
        "model",
        "min_ordinal",
      ]),
    ).toBe(false);
    expect(isDuplicateKey(ledgerRace, "sentry_controlimportchunk", ["import_uuid"])).toBe(false);
    expect(isDuplicateKey(new Error("x"), "auth_user", ["username"])).toBe(false);
  });
});
