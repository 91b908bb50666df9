/** What the pipeline's handlers need; the functions build it from config, tests from stand-ins. */
import type { Logger } from "../log.ts";
import type { BlobStore, ChunkQueue, Database, KeyDecryptor } from "../ports.ts";
import type { ImportSettings } from "../engine/importOptions.ts";

export interface PipelineDeps {
  readonly db: Database;
  readonly blobs: BlobStore;
  readonly queue: ChunkQueue;
  readonly decryptor: KeyDecryptor;
  readonly stagingBucket: string;
  /** the import's settings; the filter is always null in the pipeline */
  readonly settings: ImportSettings;
  readonly log: Logger;
  /** the wall clock (injectable for tests) */
  readonly now?: () => Date;
}
