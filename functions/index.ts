/** Registers the functions; the deployed entry points are `onBackupFinalized` and `importChunk`. */
import "./onBackupFinalized.ts";
import "./importChunk.ts";
