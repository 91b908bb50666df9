/**
 * Where the CPU went during a timed phase, from /proc (Linux, server on this machine):
 * - the server backends of one database (sampled from `pg_stat_activity`, so the work of the
 *   importer's or psql's connections, not the WAL writer's or the checkpointer's);
 * - the whole machine, so that a run disturbed by other work on the shared cores shows.
 */
import { readFileSync } from "node:fs";
import type { Database } from "../lib/ports.ts";

const TICKS_PER_SECOND = 100;

function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, "utf8");
    // fields after the parenthesised command name: state is field 3, utime 14, stime 15
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine since boot (all cores). */
export function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    TICKS_PER_SECOND
  );
}

/** Samples the CPU time of the backends connected to `datname` until stopped. */
export class BackendCpuSampler {
  readonly #admin: Database;
  readonly #datname: string;
  /** pid → [ticks when first seen, ticks when last seen] */
  readonly #ticks = new Map<number, [number, number]>();
  #timer: NodeJS.Timeout | null = null;
  #sampling: Promise<void> = Promise.resolve();

  constructor(admin: Database, datname: string) {
    this.#admin = admin;
    this.#datname = datname;
  }

  async #sample(): Promise<void> {
    const { rows } = await this.#admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1",
      [this.#datname],
    );
    for (const { pid } of rows) {
      const ticks = processTicks(pid);
      if (ticks === null) {
        continue;
      }
      const seen = this.#ticks.get(pid);
      // a backend first seen mid-phase started during it: count it from zero
      this.#ticks.set(pid, [seen?.[0] ?? (this.#timer === null ? ticks : 0), ticks]);
    }
  }

  async start(): Promise<void> {
    await this.#sample();
    this.#timer = setInterval(() => {
      this.#sampling = this.#sampling.then(() => this.#sample()).catch(() => undefined);
    }, 250);
  }

  /** CPU seconds the backends used since `start`. */
  async stop(): Promise<number> {
    await this.#sampling;
    await this.#sample();
    if (this.#timer !== null) {
      clearInterval(this.#timer);
    }
    this.#timer = null;
    let total = 0;
    for (const [first, last] of this.#ticks.values()) {
      total += last - first;
    }
    return total / TICKS_PER_SECOND;
  }
}
