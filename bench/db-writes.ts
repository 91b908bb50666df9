/**
 * Rows per second for inserting `auth_user` rows with `RETURNING id`, two ways, on server
 * Postgres and on PGlite (in memory), through the project's own adapters:
 * - `unnest`: `INSERT … SELECT * FROM unnest($1::varchar[], …)`, one array per column;
 * - `values`: multi-row `VALUES ($1, $2, …), (…)`, one parameter per value. A statement holds at
 *   most 65,535 parameters, so with 19 columns at most 3,449 rows fit in one.
 *
 * Each run inserts all rows in one transaction into an emptied table; runs alternate between
 * methods and the median is printed (three runs unless `--runs`). Not a test: nothing passes or
 * fails on time.
 *
 *   npx tsx bench/db-writes.ts [rows=100000] [--runs 3] [--database-url postgres://…] [--skip-pglite]
 */
import { randomBytes } from "node:crypto";
import { makePgDatabase } from "../lib/adapters/pg/database.ts";
import { makePgliteDatabase } from "../lib/adapters/pglite.ts";
import { migrate } from "../lib/migrations/index.ts";
import type { Database, Db } from "../lib/ports.ts";

interface Method {
  readonly name: string;
  readonly rowsPerStatement: number;
  insert(db: Db, batch: readonly UserRow[]): Promise<number>;
}

/** The 19 writable columns of auth_user, with the array type `unnest` needs for each. */
const COLUMNS = [
  ["password", "varchar"],
  ["last_login", "timestamptz"],
  ["username", "varchar"],
  ["first_name", "varchar"],
  ["email", "varchar"],
  ["is_staff", "boolean"],
  ["is_active", "boolean"],
  ["is_unclaimed", "boolean"],
  ["is_superuser", "boolean"],
  ["is_managed", "boolean"],
  ["is_sentry_app", "boolean"],
  ["is_password_expired", "boolean"],
  ["last_password_change", "timestamptz"],
  ["flags", "int8"],
  ["session_nonce", "varchar"],
  ["date_joined", "timestamptz"],
  ["last_active", "timestamptz"],
  ["avatar_type", "int2"],
  ["avatar_url", "varchar"],
] as const;

type UserRow = readonly unknown[];

const COLUMN_LIST = COLUMNS.map(([name]) => name).join(", ");

function makeRows(count: number): UserRow[] {
  const runTag = randomBytes(4).toString("hex");
  const now = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => [
    `!${randomBytes(30).toString("base64url").slice(0, 40)}`,
    i % 3 === 0 ? null : now,
    `user-${runTag}-${i}@example.com`,
    `User Number ${i}`,
    `user-${i}@example.com`,
    false,
    true,
    true,
    i % 50 === 0,
    false,
    null,
    false,
    now,
    1,
    null,
    now,
    now,
    0,
    null,
  ]);
}

const unnest: Method = {
  name: "unnest, 5,000 rows/statement",
  rowsPerStatement: 5_000,
  async insert(db, batch) {
    const arrays = COLUMNS.map((_, column) => batch.map((row) => row[column]));
    const casts = COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
    const { rowCount } = await db.query(
      `INSERT INTO auth_user (${COLUMN_LIST}) SELECT * FROM unnest(${casts}) RETURNING id`,
      arrays,
    );
    return rowCount;
  },
};

function values(rowsPerStatement: number): Method {
  return {
    name: `multi-row VALUES, ${rowsPerStatement.toLocaleString("en")} rows/statement`,
    rowsPerStatement,
    async insert(db, batch) {
      const tuples = batch.map(
        (_, r) =>
          `(${COLUMNS.map(([, type], c) => `$${r * COLUMNS.length + c + 1}::${type}`).join(", ")})`,
      );
      const { rowCount } = await db.query(
        `INSERT INTO auth_user (${COLUMN_LIST}) VALUES ${tuples.join(", ")} RETURNING id`,
        batch.flat(),
      );
      return rowCount;
    },
  };
}

const METHODS: readonly Method[] = [unnest, values(1_000), values(3_000)];

async function timeRun(db: Database, method: Method, rows: readonly UserRow[]): Promise<number> {
  await db.query("TRUNCATE auth_user RESTART IDENTITY CASCADE");
  const started = process.hrtime.bigint();
  const written = await db.withTransaction(async (tx) => {
    let total = 0;
    for (let offset = 0; offset < rows.length; offset += method.rowsPerStatement) {
      total += await method.insert(tx, rows.slice(offset, offset + method.rowsPerStatement));
    }
    return total;
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (written !== rows.length) {
    throw new Error(`${method.name}: wrote ${written} of ${rows.length} rows`);
  }
  return rows.length / seconds;
}

async function measure(
  label: string,
  db: Database,
  rows: readonly UserRow[],
  runs: number,
): Promise<void> {
  await migrate(db);
  const rates = new Map<string, number[]>(METHODS.map((m) => [m.name, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const method of run % 2 === 0 ? METHODS : [...METHODS].reverse()) {
      rates.get(method.name)?.push(await timeRun(db, method, rows));
    }
  }
  for (const method of METHODS) {
    const sorted = [...(rates.get(method.name) ?? [])].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const all = sorted.map((rate) => Math.round(rate).toLocaleString("en")).join(" / ");
    console.log(
      `${label.padEnd(9)} ${method.name.padEnd(38)} ${Math.round(median).toLocaleString("en").padStart(8)} rows/s  (runs: ${all})`,
    );
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const urlFlag = args.indexOf("--database-url");
  const adminUrl =
    urlFlag === -1
      ? (process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test")
      : args[urlFlag + 1];
  const runsFlag = args.indexOf("--runs");
  const runs = runsFlag === -1 ? 3 : Number(args[runsFlag + 1]);
  const count = Number(
    args.find((arg, i) => /^\d+$/u.test(arg) && args[i - 1] !== "--runs") ?? 100_000,
  );
  if (adminUrl === undefined) {
    throw new Error("--database-url needs a value");
  }
  const rows = makeRows(count);
  console.log(
    `${count.toLocaleString("en")} auth_user rows, one transaction per run, median of ${runs}`,
  );

  const name = `bench_db_writes_${randomBytes(4).toString("hex")}`;
  const admin = makePgDatabase(adminUrl);
  await admin.query(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const pg = makePgDatabase(url.toString());
    try {
      await measure("postgres", pg, rows, runs);
    } finally {
      await pg.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.close();
  }

  if (!args.includes("--skip-pglite")) {
    const pglite = await makePgliteDatabase();
    try {
      await measure("pglite", pglite, rows, runs);
    } finally {
      await pglite.close();
    }
  }
}

await main();
