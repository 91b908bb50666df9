/** The public surface of the backup format: reading, writing and the helpers callers need. */
export { decryptBackupToFile, encryptBackupToFile } from "./backupFiles.ts";
export { bufferSource, collectBytes, fileSource } from "./byteSources.ts";
export { detectCompression, type Compression } from "./compression.ts";
export { decryptFernetToken } from "./fernetDecrypt.ts";
export { encryptFernetToken, fernetTokenLength } from "./fernetEncrypt.ts";
export { compactJsonStream, measureCompactJson } from "./jsonCompact.ts";
export { generateFernetKeyText, parseFernetKey, type FernetKey } from "./fernetKey.ts";
export {
  BACKUP_MEMBERS,
  DATA_KEY_MEMBER,
  DEFAULT_EXPORT_LIMIT,
  EXPORT_MEMBER,
  PUBLIC_KEY_MEMBER,
  SMALL_MEMBER_LIMIT,
} from "./members.ts";
export { openEncryptedBackup, type OpenBackupOptions, type OpenedBackup } from "./openBackup.ts";
export { encryptedBackupStream, writeEncryptedBackup, type PlaintextInput } from "./writeBackup.ts";
export { removePendingTempFiles, writeFileAtomically } from "./atomicFile.ts";
