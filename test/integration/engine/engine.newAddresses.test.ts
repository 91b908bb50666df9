/**
 * The users' side effect inserts the Email rows of addresses the plan pass proves new to the
 * file's rows with a plain INSERT (`NewAddressHint`, lib/writer/emails.ts), and the others with
 * `ON CONFLICT DO NOTHING`. These tests hold it to the rows the careful way gives: an address a
 * user email of another user has too, one the database held before the import, and a run that
 * stops trying after its plain INSERTs have met existing addresses three times, and a file with
 * Email rows of its own.
 */
import { expect, it } from "vitest";
import type { ChunkImportOptions } from "../../../lib/engine/chunkImporter.ts";
import { USER } from "../../../lib/registry/names.ts";
import {
  emailAddresses,
  engineSuite,
  importRows,
  NOW,
  row,
  userEmailRow,
  userRow,
} from "../../support/engine.ts";

/** The Email statements of the user chunks, in order: plain, careful, or a savepoint undone. */
function emailStatements(): { readonly chunkOptions: ChunkImportOptions; readonly seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    chunkOptions: {
      beforeStatement: (_index, sql, chunk) => {
        if (chunk.model !== USER) {
          return;
        }
        if (sql.startsWith("ROLLBACK TO SAVEPOINT")) {
          seen.push("rollback");
        } else if (sql.includes('INSERT INTO "sentry_email"')) {
          seen.push(sql.includes("ON CONFLICT") ? "careful" : "plain");
        }
      },
    },
  };
}

engineSuite("new addresses by plain INSERT", (db) => {
  it("inserts a user's address no other row has plainly, and one another user's user email has carefully, with the first user's spelling", async () => {
    const watch = emailStatements();
    await importRows(
      db(),
      [
        userRow(1, "ann", { email: "ann@example.com" }),
        userRow(2, "bob", { email: "Bob@Example.com" }),
        userRow(3, "cy", { email: "Cy@example.com" }),
        userRow(4, "dee", { email: "dee@example.com" }),
        // every user's own user email, as in a Sentry export
        userEmailRow(1, 1, "ann@example.com"),
        userEmailRow(2, 2, "Bob@Example.com"),
        userEmailRow(3, 3, "Cy@example.com"),
        userEmailRow(4, 4, "dee@example.com"),
        // ann's second address is bob's, spelled as bob spells it: its chunk may run first
        userEmailRow(5, 1, "Bob@Example.com"),
        // dee's is cy's, spelled otherwise: left to cy's side effect, which creates it
        userEmailRow(6, 4, "cy@EXAMPLE.com"),
      ],
      { chunkSize: 2, concurrency: 1, chunkOptions: watch.chunkOptions },
    );
    expect(await emailAddresses(db(), { byFold: true })).toEqual([
      "ann@example.com",
      "Bob@Example.com",
      "Cy@example.com",
      "dee@example.com",
    ]);
    // chunk 1: ann plainly, bob carefully; chunk 2: both plainly
    expect(watch.seen).toEqual(["plain", "careful", "plain"]);
  });

  it("takes the careful way, with the same rows, when the database held an address before", async () => {
    await db().query(
      "INSERT INTO sentry_email (email, date_added) VALUES ('OLD@example.com', now())",
    );
    const watch = emailStatements();
    await importRows(
      db(),
      [
        userRow(1, "ann", { email: "ann@example.com" }),
        userRow(2, "old", { email: "old@example.com" }),
        userRow(3, "new", { email: "new@example.com" }),
      ],
      { chunkSize: 2, concurrency: 1, chunkOptions: watch.chunkOptions },
    );
    expect(await emailAddresses(db(), { byFold: true })).toEqual([
      "ann@example.com",
      "new@example.com",
      "OLD@example.com",
    ]);
    expect(watch.seen).toEqual(["plain", "rollback", "careful", "plain"]);
  });

  it("stops trying plain INSERTs after three chunks met addresses the database held", async () => {
    const addresses = Array.from({ length: 6 }, (_, i) => `user-${String(i)}@example.com`);
    for (const address of addresses) {
      await db().query("INSERT INTO sentry_email (email, date_added) VALUES ($1, now())", [
        address.toUpperCase(),
      ]);
    }
    const watch = emailStatements();
    await importRows(
      db(),
      addresses.map((email, i) => userRow(i + 1, `user-${String(i)}`, { email })),
      { chunkSize: 1, concurrency: 1, chunkOptions: watch.chunkOptions },
    );
    expect(await emailAddresses(db(), { byFold: true })).toEqual(
      addresses.map((a) => a.toUpperCase()),
    );
    expect(watch.seen).toEqual([
      ...["plain", "rollback", "careful"],
      ...["plain", "rollback", "careful"],
      ...["plain", "rollback", "careful"],
      "careful",
      "careful",
      "careful",
    ]);
  });

  it("takes the careful way for every user when the file has Email rows of its own", async () => {
    const watch = emailStatements();
    await importRows(
      db(),
      [
        row("sentry.email", 1, { email: "ANN@example.com", date_added: NOW }),
        userRow(1, "ann", { email: "ann@example.com" }),
        userRow(2, "bob", { email: "bob@example.com" }),
      ],
      { chunkSize: 2, concurrency: 1, chunkOptions: watch.chunkOptions },
    );
    expect(await emailAddresses(db(), { byFold: true })).toEqual([
      "ANN@example.com",
      "bob@example.com",
    ]);
    expect(watch.seen).toEqual(["careful"]);
  });
});
