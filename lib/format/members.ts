/**
 * The archive's member names are "load-bearing" (Sentry's words): readers match them exactly,
 * and writers emit them in this order.
 */
export const EXPORT_MEMBER = "export.json";
export const DATA_KEY_MEMBER = "data.key";
export const PUBLIC_KEY_MEMBER = "key.pub";

export const BACKUP_MEMBERS = [EXPORT_MEMBER, DATA_KEY_MEMBER, PUBLIC_KEY_MEMBER] as const;
export type BackupMemberName = (typeof BACKUP_MEMBERS)[number];

export function isBackupMemberName(name: string): name is BackupMemberName {
  return (BACKUP_MEMBERS as readonly string[]).includes(name);
}

/** `data.key` is one RSA block and `key.pub` one PEM: both are tiny, so anything big is hostile. */
export const SMALL_MEMBER_LIMIT = 64 * 1024;

/** Default cap on `export.json` (the base64 token): streamed, never buffered, so this is generous. */
export const DEFAULT_EXPORT_LIMIT = 8 * 1024 * 1024 * 1024;
