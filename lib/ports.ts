/**
 * The ports of the pure core. Adapters in `lib/adapters/` implement them over SDKs; tests pass
 * the same adapters pointed at loopback stand-ins, or small in-memory ones.
 */

/**
 * A re-openable stream of bytes: every call starts again from the first byte. A source that can
 * seek (a plain file, bytes in memory) also has `from`, which starts at a byte offset; one that
 * cannot (a decrypted token) has none, and a reader drops the bytes before the offset itself.
 */
export type ByteSource = (() => AsyncIterable<Uint8Array>) & {
  readonly from?: (offset: number) => AsyncIterable<Uint8Array>;
};

/** Unwraps an archive's data-encryption key (Sentry's `Decryptor`). */
export interface KeyDecryptor {
  /** Human-readable name for messages, e.g. `local key /path/key.pem` or a KMS version. */
  readonly description: string;
  /**
   * Returns the 44-byte ASCII Fernet key wrapped in `data.key`. The local adapter first checks
   * `archivePublicKey` (`key.pub`) against its own key, as Sentry does; KMS does not.
   */
  decryptDek(input: {
    readonly wrappedDek: Uint8Array;
    readonly archivePublicKey: Uint8Array;
  }): Promise<Uint8Array>;
}

/** Supplies the RSA public key that new archives are encrypted for (a PEM file, or KMS). */
export interface PublicKeyProvider {
  readonly description: string;
  /** The exact PEM text that goes into `key.pub`. */
  publicKeyPem(): Promise<string>;
}

/** A row as the driver returns it: column name to value. */
export type DbRow = Record<string, unknown>;

/**
 * The one database port. Both adapters (server Postgres through `pg`, embedded PGlite) implement
 * it, and the same SQL runs on both. Parameters are positional (`$1`, `$2`, …).
 */
export interface Db {
  // R is the caller's statement of its own SELECT's columns (as with pg's `query<R>`); rows whose
  // shape matters beyond that (ledger rows, runs, plans) are parsed with zod where they are read
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  query<R extends DbRow = DbRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ readonly rows: R[]; readonly rowCount: number }>;
}

/** A database handle that can lease a transaction. */
export interface Database extends Db {
  readonly kind: "postgres" | "pglite";
  /**
   * Runs `fn` inside BEGIN … COMMIT on one connection; ROLLBACK (and rethrow) if it throws.
   * Errors leaving this function are already classified (see `lib/adapters/pg/errors.ts`).
   */
  withTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** An object in a bucket; `generation` pins one version of it (Cloud Storage semantics). */
export interface BlobRef {
  readonly bucket: string;
  readonly name: string;
  /** decimal string (generations exceed 2^53); absent = the live version */
  readonly generation?: string;
}

/** Object storage (Cloud Storage in production, a loopback stand-in in tests and `emulate`). */
export interface BlobStore {
  /**
   * Streams the object's bytes. Integrity is checked by the adapter (CRC32C): a mismatch makes
   * the iteration throw at its end, so callers finish it before acting on the data.
   * @throws BlobNotFoundError when the object (or that generation) does not exist
   */
  read(ref: BlobRef): AsyncIterable<Uint8Array>;
  /**
   * Creates the object only if no live object has that name (`ifGenerationMatch: 0`); an
   * existing one is left untouched and reported as not created.
   */
  putIfAbsent(
    ref: Omit<BlobRef, "generation">,
    bytes: Uint8Array,
    options?: {
      readonly contentType?: string;
      readonly metadata?: Readonly<Record<string, string>>;
    },
  ): Promise<{ readonly created: boolean; readonly generation: string }>;
}

/** A task for the chunk-import HTTP function (Cloud Tasks in production). */
export interface QueuedTask {
  /** deterministic id (`[A-Za-z0-9_-]`, ≤ 500 chars): a second enqueue of it is a no-op */
  readonly id: string;
  /** JSON body, at most 100 KB */
  readonly body: unknown;
}

export interface ChunkQueue {
  /** "alreadyExists" when a task with that id exists or ran recently (ALREADY_EXISTS). */
  enqueue(task: QueuedTask): Promise<"created" | "alreadyExists">;
}
