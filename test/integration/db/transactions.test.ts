import { describe, expect, it } from "vitest";
import { DbError, isDuplicateKey } from "../../../lib/errors.ts";
import type { Db } from "../../../lib/ports.ts";
import { ADAPTER_KINDS, withTestDatabase } from "../../support/db.ts";

let nextUser = 0;

/** Inserts a minimal valid auth_user row (no defaults in Sentry's tables: every value given). */
async function insertUser(
  db: Db,
  username?: string,
  overrides: { email?: string } = {},
): Promise<number> {
  nextUser += 1;
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active,
       is_unclaimed, is_superuser, is_managed, is_password_expired, date_joined, avatar_type)
     VALUES ('!', $1, '', $2, false, true, false, false, false, false, now(), 0)
     RETURNING id`,
    [username ?? `user-${nextUser}-${Date.now()}`, overrides.email ?? "a@example.com"],
  );
  const id = rows[0]?.id;
  if (id === undefined) {
    throw new Error("no id returned");
  }
  return id;
}

async function countUsers(db: Db, username: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*) AS n FROM auth_user WHERE username = $1",
    [username],
  );
  return rows[0]?.n ?? -1;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe.each(ADAPTER_KINDS)("withTransaction on %s", (kind) => {
  const db = withTestDatabase(kind);

  it("commits what the callback wrote and returns its value", async () => {
    const id = await db().withTransaction(async (tx) => insertUser(tx, "committed"));

    expect(id).toBeGreaterThan(0);
    expect(await countUsers(db(), "committed")).toBe(1);
  });

  it("rolls back when the callback throws, and rethrows its error unchanged", async () => {
    const failure = new Error("the callback failed");

    const error = await rejection(
      db().withTransaction(async (tx) => {
        await insertUser(tx, "rolled-back");
        throw failure;
      }),
    );

    expect(error).toBe(failure);
    expect(await countUsers(db(), "rolled-back")).toBe(0);
  });

  it("classifies a unique violation as duplicate, with its constraint, table and columns", async () => {
    await insertUser(db(), "taken");

    const error = await rejection(
      db().withTransaction(async (tx) => {
        await insertUser(tx, "written-then-undone");
        await insertUser(tx, "taken");
      }),
    );

    expect(error).toBeInstanceOf(DbError);
    expect(error).toMatchObject({
      classification: "duplicate",
      sqlstate: "23505",
      constraint: "auth_user_username_key",
      table: "auth_user",
      columns: ["username"],
    });
    expect(await countUsers(db(), "written-then-undone")).toBe(0);
  });

  it("tells a lost ledger race apart by table and key columns", async () => {
    const insertChunk = async (tx: Db): Promise<void> => {
      await tx.query(
        `INSERT INTO sentry_controlimportchunk (date_updated, date_added, import_uuid, model,
           min_ordinal, max_ordinal, min_source_pk, max_source_pk, inserted_map, existing_map,
           overwrite_map, inserted_identifiers)
         VALUES (now(), now(), $1, 'sentry.user', 1, 20, 1, 20, '{}', '{}', '{}', '{}')`,
        ["6f1c2b7e-9a8d-4c3b-8e7f-0123456789ab"],
      );
    };
    await db().withTransaction(insertChunk);

    const error = await rejection(db().withTransaction(insertChunk));

    expect(
      isDuplicateKey(error, "sentry_controlimportchunk", ["import_uuid", "model", "min_ordinal"]),
    ).toBe(true);
  });

  it("classifies a value too long for its column as data (22001)", async () => {
    const error = await rejection(insertUser(db(), "x".repeat(129)));

    expect(error).toMatchObject({ classification: "data", sqlstate: "22001" });
  });

  it("classifies a NOT NULL violation as integrity, naming the column", async () => {
    const error = await rejection(
      db().query(
        "INSERT INTO sentry_userrole (date_updated, name, permissions) VALUES (now(), NULL, '{}')",
      ),
    );

    expect(error).toMatchObject({
      classification: "integrity",
      sqlstate: "23502",
      table: "sentry_userrole",
      columns: ["name"],
    });
  });

  it("reports a deferred foreign-key violation at COMMIT, as integrity, and writes nothing", async () => {
    const error = await rejection(
      db().withTransaction(async (tx) => {
        await tx.query(
          "INSERT INTO sentry_userpermission (user_id, permission) VALUES ($1, 'users.admin')",
          [987_654_321],
        );
      }),
    );

    expect(error).toMatchObject({ classification: "integrity", sqlstate: "23503" });
    const { rows } = await db().query<{ n: number }>(
      "SELECT count(*) AS n FROM sentry_userpermission WHERE user_id = $1",
      [987_654_321],
    );
    expect(rows[0]?.n).toBe(0);
  });

  it("refuses to report success when the callback swallowed a failed statement", async () => {
    await insertUser(db(), "swallowed-taken");

    const error = await rejection(
      db().withTransaction(async (tx) => {
        await insertUser(tx, "swallowed-lost");
        await insertUser(tx, "swallowed-taken").catch(() => undefined);
      }),
    );

    expect(error).toMatchObject({ sqlstate: "25P02" });
    expect(await countUsers(db(), "swallowed-lost")).toBe(0);
  });

  it("keeps working after failed transactions", async () => {
    await rejection(db().withTransaction(async (tx) => tx.query("SELECT * FROM no_such_table")));

    expect(
      await db().withTransaction(async (tx) => insertUser(tx, "after-failures")),
    ).toBeGreaterThan(0);
  });
});
