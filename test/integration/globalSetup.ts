/**
 * Builds the migrated template database once per run, on the local Postgres: each test file then
 * clones it (`CREATE DATABASE t_<random> TEMPLATE …`, see `test/support/db.ts`) in a few tens of
 * milliseconds instead of migrating its own. The name is random per run, so concurrent runs on
 * one cluster never share or drop each other's databases.
 */
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { makePgDatabase } from "../../lib/adapters/pg/database.ts";
import { migrate } from "../../lib/migrations/index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** the migrated template database of this run */
    templateDatabase: string;
  }
}

const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

/** The database the tests connect to first, to create and drop their own. */
export function adminDatabaseUrl(): string {
  const url = process.env["DATABASE_URL"];
  return url === undefined || url === "" ? DEFAULT_DATABASE_URL : url;
}

/** The admin URL with its database replaced. */
export function databaseUrlFor(name: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** Lower-case letters and digits: a valid identifier with no quoting surprises. */
export function randomDatabaseName(prefix: string): string {
  return `${prefix}${randomBytes(6).toString("hex")}`;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = randomDatabaseName("sentry_import_tpl_");
  const admin = makePgDatabase(adminDatabaseUrl());
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    await admin.close();
    throw new Error(
      `integration tests need Postgres at ${adminDatabaseUrl()} (set DATABASE_URL, or start the ` +
        "cluster: pg_ctlcluster --skip-systemctl-redirect 15 main start)",
      { cause: error },
    );
  }
  const dropTemplate = async (): Promise<void> => {
    await admin.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE false`);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.close();
  };
  try {
    const template = makePgDatabase(databaseUrlFor(name));
    try {
      await migrate(template);
    } finally {
      await template.close();
    }
    await admin.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true`);
  } catch (error) {
    await dropTemplate();
    throw error;
  }
  project.provide("templateDatabase", name);
  return dropTemplate;
}
