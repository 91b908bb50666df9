import { Storage } from "@google-cloud/storage";
import type { File, StorageOptions } from "@google-cloud/storage";
import { z } from "zod";
import { BlobNotFoundError, SentryImportError } from "../errors.ts";
import type { BlobRef, BlobStore } from "../ports.ts";

/**
 * Cloud Storage behind the `BlobStore` port (gcp-platform.md §4). Reads are pinned to a
 * generation and CRC32C-validated by the client, which reports a mismatch only when the stream
 * ends; writes are create-only (`ifGenerationMatch: 0`), so a redelivered event that stages the
 * same chunk again finds it instead of overwriting it.
 */

export interface StorageClientOptions {
  /**
   * `http://127.0.0.1:<port>` for a loopback stand-in (the scheme is required: without one the
   * client prepends `https://`). The client sends no credentials to a custom endpoint.
   */
  readonly apiEndpoint?: string;
  readonly projectId?: string;
  /** the client's retry settings, e.g. `{ maxRetries: 0 }` to surface the first failure */
  readonly retryOptions?: StorageOptions["retryOptions"];
}

const endpointSchema = z.url({
  protocol: /^https?$/,
  error: "apiEndpoint needs an http(s):// URL",
});

export function makeStorageClient(options: StorageClientOptions = {}): Storage {
  const { apiEndpoint, projectId, retryOptions } = options;
  return new Storage({
    ...(apiEndpoint === undefined
      ? {}
      : { apiEndpoint: endpointSchema.parse(apiEndpoint).replace(/\/+$/, "") }),
    ...(projectId === undefined ? {} : { projectId }),
    ...(retryOptions === undefined ? {} : { retryOptions }),
  });
}

/** The subset of a Cloud Storage error the adapter reads: an HTTP status or a client code. */
const storageErrorShape = z.looseObject({
  code: z.union([z.number(), z.string()]).optional(),
  message: z.string().optional(),
});

const objectResource = z.looseObject({
  generation: z.union([z.string().regex(/^\d+$/), z.int().nonnegative()]).transform(String),
});

const generationSchema = z.string().regex(/^\d+$/, "a generation is a decimal string");

/** How many times `putIfAbsent` retries when the object it collided with vanishes meanwhile. */
const PUT_ATTEMPTS = 3;

export function makeGcsBlobStore(storage: Storage): BlobStore {
  return {
    read: (ref) => readObject(storage, ref),
    putIfAbsent: async (ref, bytes, options = {}) => {
      const file = storage.bucket(ref.bucket).file(ref.name);
      for (let attempt = 1; ; attempt += 1) {
        try {
          await file.save(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
            resumable: false,
            validation: "crc32c",
            ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
            ...(options.metadata === undefined ? {} : { metadata: { metadata: options.metadata } }),
            preconditionOpts: { ifGenerationMatch: 0 },
          });
          return { created: true, generation: generationOf(file.metadata, ref) };
        } catch (error) {
          if (errorCode(error) !== 412) {
            throw storageFailed("blob_write_failed", "write", ref, error);
          }
        }
        // 412: a live object has that name; report its generation. It can be deleted between
        // the two calls, in which case the create is tried again.
        try {
          const [metadata] = await file.getMetadata();
          return { created: false, generation: generationOf(metadata, ref) };
        } catch (error) {
          if (errorCode(error) !== 404 || attempt >= PUT_ATTEMPTS) {
            throw storageFailed("blob_write_failed", "read the metadata of", ref, error);
          }
        }
      }
    },
  };
}

async function* readObject(storage: Storage, ref: BlobRef): AsyncGenerator<Uint8Array> {
  const file = pinnedFile(storage, ref);
  try {
    // The validator hashes every byte and fails the stream at its end on a CRC32C mismatch
    // (code CONTENT_DOWNLOAD_MISMATCH), after the bytes were already yielded.
    for await (const chunk of file.createReadStream({ validation: "crc32c" })) {
      yield chunk as Buffer;
    }
  } catch (error) {
    if (errorCode(error) === 404) {
      throw new BlobNotFoundError(`${describe(ref)} does not exist (overwritten or deleted)`, {
        cause: error,
        context: { ...ref },
      });
    }
    if (errorCode(error) === "CONTENT_DOWNLOAD_MISMATCH") {
      throw storageFailed("blob_corrupted", "validate (CRC32C mismatch)", ref, error);
    }
    throw storageFailed("blob_read_failed", "read", ref, error);
  }
}

function pinnedFile(storage: Storage, ref: BlobRef): File {
  const bucket = storage.bucket(ref.bucket);
  if (ref.generation === undefined) {
    return bucket.file(ref.name);
  }
  const generation = generationSchema.parse(ref.generation);
  // The client keeps generations as JS numbers; real ones (microsecond timestamps) are exact,
  // but refuse one that would be rounded to another object version.
  if (!Number.isSafeInteger(Number(generation))) {
    throw new SentryImportError(
      "blob_generation_unsupported",
      `${describe(ref)}: the Storage client cannot address generation ${generation} exactly`,
      { context: { ...ref } },
    );
  }
  return bucket.file(ref.name, { generation });
}

function generationOf(metadata: unknown, ref: Omit<BlobRef, "generation">): string {
  const parsed = objectResource.safeParse(metadata);
  if (!parsed.success) {
    throw new SentryImportError(
      "blob_write_failed",
      `Cloud Storage answered for ${describe(ref)} without a generation: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error, context: { ...ref } },
    );
  }
  return parsed.data.generation;
}

function errorCode(error: unknown): number | string | undefined {
  const shape = storageErrorShape.safeParse(error);
  return shape.success ? shape.data.code : undefined;
}

function storageFailed(
  code: "blob_read_failed" | "blob_write_failed" | "blob_corrupted",
  action: string,
  ref: Omit<BlobRef, "generation"> & { readonly generation?: string },
  error: unknown,
): SentryImportError {
  const shape = storageErrorShape.safeParse(error);
  const detail = shape.success ? (shape.data.message ?? String(error)) : String(error);
  return new SentryImportError(
    code,
    `Cloud Storage: could not ${action} ${describe(ref)}: ${detail}`,
    {
      cause: error,
      context: { ...ref, storageCode: errorCode(error) ?? null },
    },
  );
}

function describe(ref: Omit<BlobRef, "generation"> & { readonly generation?: string }): string {
  return `gs://${ref.bucket}/${ref.name}${ref.generation === undefined ? "" : `#${ref.generation}`}`;
}
