/**
 * A `Database` wrapper that times every statement by family (verb + table, e.g. `INSERT
 * auth_user`, `SELECT sentry_import.pk_map`), plus BEGIN and COMMIT of each transaction as seen
 * from the client: round-trip time, which includes the server's work and the driver's (de)coding.
 * The JS time between statements is what is left of the wall time. Only used with `--profile`:
 * the measured run goes through the unwrapped adapter.
 */
import type { Database, Db, DbRow } from "../lib/ports.ts";

export interface FamilyStats {
  count: number;
  ms: number;
  /** characters of the statements' parameters (the JSON payloads) */
  paramChars: number;
  rows: number;
}

export type StatementStats = Map<string, FamilyStats>;

const IDENT = String.raw`(?:"[^"]+"|[\w.]+)(?:\."[^"]+")?`;
const PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`^\s*(INSERT) INTO (${IDENT})`, "i"),
  new RegExp(String.raw`^\s*(UPDATE) (${IDENT})`, "i"),
  new RegExp(String.raw`^\s*(DELETE) FROM (${IDENT})`, "i"),
  new RegExp(String.raw`^\s*(SELECT) .*?\bFROM (${IDENT})`, "is"),
];

/** `INSERT auth_user`, `SELECT pg_advisory_xact_lock`, … */
export function statementFamily(sql: string): string {
  if (sql.includes("pg_advisory_xact_lock")) {
    return "SELECT pg_advisory_xact_lock";
  }
  if (sql.includes("nextval(")) {
    return "SELECT nextval (allocate ids)";
  }
  // several data-modifying statements in one: name every table written
  if (/^\s*WITH\b/i.test(sql)) {
    const written = [...sql.matchAll(new RegExp(String.raw`\bINSERT INTO (${IDENT})`, "gi"))].map(
      (m) => (m[1] ?? "").replaceAll('"', ""),
    );
    if (written.length > 0) {
      return `INSERT ${written.join(" + ")}`;
    }
  }
  // a lookup of many keys at once reads a key list (unnest, json_to_recordset) and probes the
  // table per key (a join, a LATERAL subquery or a scalar subquery): name the table
  if (
    /^\s*SELECT/i.test(sql) &&
    /\bFROM (?:unnest|json_to_recordset|generate_series)\(/i.test(sql)
  ) {
    const tables = [
      ...sql.matchAll(new RegExp(String.raw`\b(?:FROM|JOIN) (${IDENT})(\s*\()?`, "gi")),
    ]
      .filter((m) => m[2] === undefined)
      .map((m) => (m[1] ?? "").replaceAll('"', ""))
      .filter((t) => t.toUpperCase() !== "LATERAL");
    if (tables[0] !== undefined) {
      return `SELECT ${tables[0]} (probed per key)`;
    }
  }
  for (const pattern of PATTERNS) {
    const match = pattern.exec(sql);
    if (match !== null) {
      const verb = (match[1] ?? "").toUpperCase();
      const table = (match[2] ?? "").replaceAll('"', "");
      return `${verb} ${table}`;
    }
  }
  return sql.trim().replace(/\s+/g, " ").slice(0, 48);
}

function paramChars(params: readonly unknown[] | undefined): number {
  let total = 0;
  for (const p of params ?? []) {
    if (typeof p === "string") {
      total += p.length;
    } else if (Array.isArray(p)) {
      total += p.length;
    }
  }
  return total;
}

function add(stats: StatementStats, family: string, ms: number, chars: number, rows: number): void {
  const entry = stats.get(family) ?? { count: 0, ms: 0, paramChars: 0, rows: 0 };
  entry.count += 1;
  entry.ms += ms;
  entry.paramChars += chars;
  entry.rows += rows;
  stats.set(family, entry);
}

function timedDb(db: Db, stats: StatementStats): Db {
  return {
    // the port's signature: callers pick the row type
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
    async query<R extends DbRow = DbRow>(sql: string, params?: readonly unknown[]) {
      const started = performance.now();
      const result = await db.query<R>(sql, params);
      add(
        stats,
        statementFamily(sql),
        performance.now() - started,
        paramChars(params),
        result.rowCount,
      );
      return result;
    },
  };
}

/** Wraps `database`; `stats` fills as statements run. */
export function timedDatabase(database: Database, stats: StatementStats): Database {
  const plain = timedDb(database, stats);
  return {
    kind: database.kind,
    query: plain.query.bind(plain),
    close: () => database.close(),
    async withTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const called = performance.now();
      let fnStarted = 0;
      let fnEnded = 0;
      try {
        return await database.withTransaction(async (tx) => {
          fnStarted = performance.now();
          add(stats, "BEGIN (checkout + BEGIN)", fnStarted - called, 0, 0);
          try {
            return await fn(timedDb(tx, stats));
          } finally {
            fnEnded = performance.now();
          }
        });
      } finally {
        if (fnEnded > 0) {
          add(stats, "COMMIT / ROLLBACK", performance.now() - fnEnded, 0, 0);
        }
      }
    },
  };
}

/** The families as a table, slowest first, with each one's share of `totalMs`. */
export function formatStatementStats(stats: StatementStats, totalMs: number): string {
  const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const lines = [
    `${"statement family".padEnd(44)} ${"count".padStart(9)} ${"total s".padStart(9)} ${"share".padStart(6)} ${"µs/stmt".padStart(9)} ${"MB params".padStart(10)}`,
  ];
  for (const [family, s] of rows) {
    lines.push(
      `${family.slice(0, 44).padEnd(44)} ${String(s.count).padStart(9)} ${(s.ms / 1000).toFixed(2).padStart(9)} ${`${((100 * s.ms) / totalMs).toFixed(1)}%`.padStart(6)} ${((1000 * s.ms) / Math.max(1, s.count)).toFixed(0).padStart(9)} ${(s.paramChars / 1e6).toFixed(1).padStart(10)}`,
    );
  }
  return lines.join("\n");
}
