import { ArchiveError } from "../errors.ts";
import { unwrapCompression } from "./compression.ts";
import {
  BACKUP_MEMBERS,
  DATA_KEY_MEMBER,
  DEFAULT_EXPORT_LIMIT,
  EXPORT_MEMBER,
  isBackupMemberName,
  SMALL_MEMBER_LIMIT,
  type BackupMemberName,
} from "./members.ts";
import { readTarEntries } from "./tarReader.ts";

export interface ArchiveReadOptions {
  /** Names the archive in error messages, usually its path. */
  readonly label: string;
  /** Cap on the `export.json` member in bytes; defaults to {@link DEFAULT_EXPORT_LIMIT}. */
  readonly maxExportBytes?: number;
}

/** The two small members, read whole, plus the size the tar header gave `export.json`. */
export interface SmallMembers {
  readonly dataKey: Buffer;
  readonly keyPub: Buffer;
  readonly exportSize: number;
}

/**
 * Walks a (possibly gzip-wrapped) backup tar with Sentry's rules: non-regular entries are
 * skipped, any other regular name is rejected, each member must appear exactly once. The
 * `export.json` body is handed to `onExport`, whose output is yielded as it comes; the small
 * members are returned once the archive has been read to its end and found complete.
 */
export async function* walkBackupArchive<T>(
  bytes: AsyncIterable<Uint8Array>,
  options: ArchiveReadOptions,
  onExport: (body: AsyncIterable<Uint8Array>, size: number) => AsyncIterable<T>,
): AsyncGenerator<T, SmallMembers, undefined> {
  const { label } = options;
  const exportLimit = options.maxExportBytes ?? DEFAULT_EXPORT_LIMIT;
  const tar = await unwrapCompression(bytes, label);
  const seen = new Set<BackupMemberName>();
  let dataKey: Buffer | undefined;
  let keyPub: Buffer | undefined;
  let exportSize = 0;

  for await (const entry of readTarEntries(tar, label)) {
    if (entry.type !== "file" && entry.type !== "contiguous-file") {
      await drain(entry.body);
      continue;
    }
    const name = entry.name;
    if (!isBackupMemberName(name)) {
      throw new ArchiveError(
        "unknown_member",
        `Unknown tarball entity "${name}" in ${label}: a backup holds only ` +
          `${BACKUP_MEMBERS.join(", ")} (names are matched exactly, without "./" or folders)`,
        { context: { file: label, member: name } },
      );
    }
    if (seen.has(name)) {
      throw new ArchiveError("duplicate_member", `${label} contains "${name}" more than once`, {
        context: { file: label, member: name },
      });
    }
    seen.add(name);
    const limit = name === EXPORT_MEMBER ? exportLimit : SMALL_MEMBER_LIMIT;
    if (entry.size > limit) {
      throw new ArchiveError(
        "oversize_member",
        `"${name}" in ${label} is ${entry.size} bytes, over the limit of ${limit} bytes`,
        { context: { file: label, member: name, size: entry.size, limit } },
      );
    }
    if (name === EXPORT_MEMBER) {
      exportSize = entry.size;
      yield* onExport(entry.body, entry.size);
      // Whatever the consumer left unread must still pass through before the next header.
      await drain(entry.body);
    } else if (name === DATA_KEY_MEMBER) {
      dataKey = await readSmall(entry.body);
    } else {
      keyPub = await readSmall(entry.body);
    }
  }

  const missing = BACKUP_MEMBERS.filter((member) => !seen.has(member));
  if (missing.length > 0 || dataKey === undefined || keyPub === undefined) {
    throw new ArchiveError(
      "missing_member",
      `${label} is missing the required member${missing.length === 1 ? "" : "s"} ` +
        missing.map((m) => `"${m}"`).join(", "),
      { context: { file: label, missing } },
    );
  }
  return { dataKey, keyPub, exportSize };
}

/** Drains an export body without keeping it: used by passes that only need the small members. */
export async function* skipExport(body: AsyncIterable<Uint8Array>): AsyncGenerator<never> {
  await drain(body);
  yield* [];
}

async function readSmall(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const piece of body) {
    parts.push(piece);
  }
  return Buffer.concat(parts);
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  while ((await iterator.next()).done !== true) {
    // Discard: the bytes only need to pass through to reach the next header.
  }
}
