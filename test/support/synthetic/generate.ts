/**
 * Streams a whole export: `[`, every model's run in file order, `]`, compact like orjson's output.
 * Rows are built one at a time from per-user plans, so memory stays flat however many users.
 */
import { makeContext, type GenContext } from "./context.ts";
import { FILE_ORDER, type SyntheticModel } from "./models.ts";
import type { SyntheticExportOptions } from "./options.ts";
import {
  controlOptionRows,
  plainOptionRows,
  relayRows,
  relayUsageRows,
  userRoleRows,
} from "./rows/config.ts";
import {
  apiApplicationRows,
  authenticatorRows,
  organizationRows,
  projectRows,
  siteRows,
} from "./rows/outOfScope.ts";
import {
  apiAuthorizationRows,
  apiTokenRows,
  userOptionRows,
  userPermissionRows,
  userRoleUserRows,
} from "./rows/userOwned.ts";
import { emailRows, userEmailRows, userRows } from "./rows/users.ts";

const RUNS: Readonly<Record<SyntheticModel, (ctx: GenContext) => Generator<string>>> = {
  "sites.site": siteRows,
  "sentry.controloption": controlOptionRows,
  "sentry.option": plainOptionRows,
  "sentry.organization": organizationRows,
  "sentry.relay": relayRows,
  "sentry.relayusage": relayUsageRows,
  "sentry.user": userRows,
  "sentry.userpermission": userPermissionRows,
  "sentry.userrole": userRoleRows,
  "sentry.userroleuser": userRoleUserRows,
  "sentry.project": projectRows,
  "sentry.email": emailRows,
  "sentry.authenticator": authenticatorRows,
  "sentry.apiapplication": apiApplicationRows,
  "sentry.useroption": userOptionRows,
  "sentry.useremail": userEmailRows,
  "sentry.apitoken": apiTokenRows,
  "sentry.apiauthorization": apiAuthorizationRows,
};

/** Rows written per model; models without rows are absent. */
export type ModelCounts = Partial<Record<SyntheticModel, number>>;

/** About 256 KiB of text per chunk: large enough to amortise, small enough to stay flat. */
const CHUNK_CHARS = 1 << 18;

/** The export as text chunks; `tally` receives the row count of each model as its run ends. */
export function* exportTextChunks(ctx: GenContext, tally: ModelCounts = {}): Generator<string> {
  let buffer = "[";
  let separator = "";
  for (const model of FILE_ORDER) {
    let rows = 0;
    for (const text of RUNS[model](ctx)) {
      buffer += separator + text;
      separator = ",";
      rows++;
      if (buffer.length >= CHUNK_CHARS) {
        yield buffer;
        buffer = "";
      }
    }
    if (rows > 0) {
      tally[model] = rows;
    }
  }
  yield `${buffer}]`;
}

/**
 * A synthetic Config-scope export as UTF-8 bytes. Deterministic: the same options give the same
 * bytes. Options are validated on the call; every call streams the export afresh. `tally` fills
 * with the rows per model as the stream goes.
 */
export function generateExport(
  options: SyntheticExportOptions,
  tally?: ModelCounts,
): AsyncIterableIterator<Uint8Array> {
  const chunks = exportTextChunks(makeContext(options), tally);
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  // A plain object rather than an async generator: nothing here awaits, and `return` must close
  // the underlying generator when a consumer stops early.
  return {
    next() {
      const step = chunks.next();
      return Promise.resolve(
        step.done === true ? done : { done: false, value: Buffer.from(step.value, "utf8") },
      );
    },
    return() {
      chunks.return(undefined);
      return Promise.resolve(done);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The whole export as one string: convenient for small exports in tests. */
export function generateExportText(options: SyntheticExportOptions, tally?: ModelCounts): string {
  let text = "";
  for (const chunk of exportTextChunks(makeContext(options), tally)) {
    text += chunk;
  }
  return text;
}
