import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Storage } from "@google-cloud/storage";
import { makeGcsBlobStore, makeStorageClient } from "../../../lib/adapters/gcs.ts";
import { BlobNotFoundError, SentryImportError } from "../../../lib/errors.ts";
import type { BlobRef, BlobStore } from "../../../lib/ports.ts";
import { startGcsStandin } from "../../../lib/emulator/standins/gcs.ts";
import type { GcsStandin, StorageObjectData } from "../../../lib/emulator/standins/gcs.ts";

// The real @google-cloud/storage client against the loopback stand-in (gcp-platform.md §4, §8.2).

const STAGING = "staging";
const VERSIONED = "versioned";

let gcs: GcsStandin;
let storage: Storage;
let store: BlobStore;

beforeAll(async () => {
  gcs = await startGcsStandin({ buckets: [STAGING] });
  gcs.createBucket(VERSIONED, { versioning: true });
  storage = makeStorageClient({ apiEndpoint: gcs.apiEndpoint, projectId: "test-project" });
  store = makeGcsBlobStore(storage);
});

afterAll(async () => {
  await gcs.close();
});

beforeEach(() => {
  gcs.reset();
});

let counter = 0;
function uniqueName(prefix = "chunks"): string {
  counter += 1;
  return `${prefix}/import-${counter}/sentry.user/1.json`;
}

async function readAll(ref: BlobRef): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of store.read(ref)) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readError(ref: BlobRef): Promise<unknown> {
  try {
    await readAll(ref);
  } catch (error) {
    return error;
  }
  throw new Error("expected the read to fail");
}

describe("GCS BlobStore: putIfAbsent", () => {
  it("creates the object once, then reports the existing generation and leaves it untouched", async () => {
    const name = uniqueName();
    const first = await store.putIfAbsent({ bucket: STAGING, name }, Buffer.from('{"a":1}'), {
      contentType: "application/json",
      metadata: { importUuid: "u1", rows: "1" },
    });
    expect(first.created).toBe(true);
    expect(first.generation).toMatch(/^\d+$/);

    const second = await store.putIfAbsent({ bucket: STAGING, name }, Buffer.from("other"), {
      contentType: "text/plain",
    });
    expect(second).toEqual({ created: false, generation: first.generation });

    const stored = gcs.getObject(STAGING, name);
    expect(stored?.bytes.toString()).toBe('{"a":1}');
    expect(stored?.resource).toMatchObject({
      generation: first.generation,
      contentType: "application/json",
      metadata: { importUuid: "u1", rows: "1" },
    });
  });

  it("sends one multipart upload with the name in the query and ifGenerationMatch=0, then reads the metadata on 412", async () => {
    const name = uniqueName();
    await store.putIfAbsent({ bucket: STAGING, name }, Buffer.from("x"));
    await store.putIfAbsent({ bucket: STAGING, name }, Buffer.from("x"));
    const encoded = encodeURIComponent(name);
    expect(gcs.server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      `POST /upload/storage/v1/b/${STAGING}/o?uploadType=multipart&name=${encoded}&ifGenerationMatch=0`,
      `POST /upload/storage/v1/b/${STAGING}/o?uploadType=multipart&name=${encoded}&ifGenerationMatch=0`,
      `GET /storage/v1/b/${STAGING}/o/${encoded}?`,
    ]);
    expect(gcs.server.requests[0]?.headers["content-type"]).toMatch(
      /^multipart\/related; boundary=/,
    );
    // a custom endpoint gets no credentials
    expect(gcs.server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("lets exactly one of two concurrent writers create the object; both learn its generation", async () => {
    const name = uniqueName();
    const results = await Promise.all([
      store.putIfAbsent({ bucket: STAGING, name }, Buffer.from("one")),
      store.putIfAbsent({ bucket: STAGING, name }, Buffer.from("two")),
    ]);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.generation)).size).toBe(1);
  });

  it("reports an upload whose response was lost as already staged, after the client's retry", async () => {
    const name = uniqueName();
    gcs.loseNextResponses(1, "upload");
    const result = await store.putIfAbsent({ bucket: STAGING, name }, Buffer.from("payload"));
    // the first attempt wrote the object; the conditional retry met it (412)
    expect(gcs.calls.upload).toBe(2);
    expect(result).toEqual({
      created: false,
      generation: gcs.getObject(STAGING, name)?.resource.generation,
    });
  });

  it("surfaces a non-retryable failure as blob_write_failed with the status", async () => {
    gcs.failNext(1, { httpStatus: 403, operation: "upload" });
    const error: unknown = await store
      .putIfAbsent({ bucket: STAGING, name: uniqueName() }, Buffer.from("x"))
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(SentryImportError);
    expect(error).toMatchObject({ code: "blob_write_failed", context: { storageCode: 403 } });
  });

  it("fails on a missing bucket instead of creating it", async () => {
    const error: unknown = await store
      .putIfAbsent({ bucket: "no-such-bucket", name: "x" }, Buffer.from("x"))
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toMatchObject({ code: "blob_write_failed", context: { storageCode: 404 } });
  });
});

describe("GCS BlobStore: read", () => {
  it("streams exactly the pinned generation, with alt=media and the generation in the query", async () => {
    const name = uniqueName();
    const bytes = Buffer.alloc(300_000, 0x61);
    const { generation } = await store.putIfAbsent({ bucket: STAGING, name }, bytes);
    gcs.server.clearLog();
    expect((await readAll({ bucket: STAGING, name, generation })).equals(bytes)).toBe(true);
    expect(gcs.server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      `GET /storage/v1/b/${STAGING}/o/${encodeURIComponent(name)}?alt=media&generation=${generation}`,
    ]);
  });

  it("reads the live version when no generation is given", async () => {
    const name = uniqueName();
    gcs.putObject(STAGING, name, "v1");
    gcs.putObject(STAGING, name, "v2");
    expect((await readAll({ bucket: STAGING, name })).toString()).toBe("v2");
  });

  it("throws BlobNotFoundError for a missing object", async () => {
    const error = await readError({ bucket: STAGING, name: uniqueName(), generation: "1" });
    expect(error).toBeInstanceOf(BlobNotFoundError);
    expect(error).toMatchObject({ code: "blob_not_found" });
  });

  it("throws BlobNotFoundError for a generation overwritten since the event (no versioning)", async () => {
    const name = uniqueName();
    const old = gcs.putObject(STAGING, name, "old");
    gcs.putObject(STAGING, name, "new");
    const error = await readError({ bucket: STAGING, name, generation: old.generation });
    expect(error).toBeInstanceOf(BlobNotFoundError);
  });

  it("still reads an overwritten generation in a versioned bucket", async () => {
    const name = uniqueName();
    const old = gcs.putObject(VERSIONED, name, "old");
    gcs.putObject(VERSIONED, name, "new");
    const bytes = await readAll({ bucket: VERSIONED, name, generation: old.generation });
    expect(bytes.toString()).toBe("old");
  });

  it("fails a corrupted download at the end of the iteration, not at its start", async () => {
    const name = uniqueName();
    const bytes = Buffer.alloc(100_000, 0x62);
    const { generation } = await store.putIfAbsent({ bucket: STAGING, name }, bytes);
    gcs.corruptNextDownloads();
    // The validator fails the stream only once it has hashed every byte, so data reach the caller
    // first (how much depends on buffering: the rest is discarded with the error).
    const error = await readError({ bucket: STAGING, name, generation });
    expect(error).toBeInstanceOf(SentryImportError);
    expect(error).toMatchObject({
      code: "blob_corrupted",
      cause: { code: "CONTENT_DOWNLOAD_MISMATCH" },
    });
    // the next download is clean again
    expect((await readAll({ bucket: STAGING, name, generation })).equals(bytes)).toBe(true);
  });

  it("surfaces a non-retryable download failure as blob_read_failed", async () => {
    // (5xx and 429 are retried by the client itself, after about a second)
    const name = uniqueName();
    gcs.putObject(STAGING, name, "x");
    gcs.failNext(1, { httpStatus: 403, operation: "download" });
    const error = await readError({ bucket: STAGING, name });
    expect(error).toMatchObject({ code: "blob_read_failed", context: { storageCode: 403 } });
  });

  it("stops the download when the caller breaks out early", async () => {
    const name = uniqueName();
    gcs.putObject(STAGING, name, Buffer.alloc(2_000_000, 1));
    let seen = 0;
    for await (const chunk of store.read({ bucket: STAGING, name })) {
      seen += chunk.byteLength;
      break;
    }
    expect(seen).toBeGreaterThan(0);
    await gcs.server.idle();
  });
});

describe("GCS stand-in", () => {
  it("fires finalize listeners with StorageObjectData-shaped objects (decimal-string generation and size)", async () => {
    const seen: StorageObjectData[] = [];
    const unsubscribe = gcs.onFinalize((object) => seen.push(object));
    try {
      const name = uniqueName("backups");
      const { generation } = await store.putIfAbsent(
        { bucket: STAGING, name },
        Buffer.from("hello world\n"),
        {
          contentType: "application/x-tar",
        },
      );
      await store.putIfAbsent({ bucket: STAGING, name }, Buffer.from("again"));
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        kind: "storage#object",
        bucket: STAGING,
        name,
        generation,
        metageneration: "1",
        size: "12",
        crc32c: "8P9ykg==",
        md5Hash: "b1kCrCNwJL3QwXbLkwY9xA==",
        contentType: "application/x-tar",
        id: `${STAGING}/${name}/${generation}`,
      });
      expect(seen[0]?.timeCreated).toMatch(/^\d{4}-\d\d-\d\dT/);
    } finally {
      unsubscribe();
    }
  });

  it("serves the real client's resumable upload, with preconditions checked", async () => {
    const name = uniqueName("resumable");
    const file = storage.bucket(STAGING).file(name);
    const bytes = Buffer.alloc(70_000, 0x63);
    await file.save(bytes, { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } });
    expect(gcs.getObject(STAGING, name)?.bytes.equals(bytes)).toBe(true);
    const again: unknown = await file
      .save(bytes, { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(again).toMatchObject({ code: 412 });
    expect(gcs.server.requests.map((request) => request.method)).toEqual(["POST", "PUT", "POST"]);
    expect(gcs.server.requests[1]?.headers["content-range"]).toBe("bytes 0-*/*");
  });

  it("answers metadata with strings and base64 checksums, lists by prefix and deletes", async () => {
    const prefix = `list-${String(Date.now())}/`;
    gcs.putObject(STAGING, `${prefix}a`, "a");
    gcs.putObject(STAGING, `${prefix}b/c`, "bc");
    gcs.putObject(STAGING, `other/${prefix}`, "z");
    const [metadata] = await storage.bucket(STAGING).file(`${prefix}b/c`).getMetadata();
    expect(typeof metadata.generation).toBe("string");
    expect(metadata.size).toBe("2");
    const [files] = await storage.bucket(STAGING).getFiles({ prefix });
    expect(files.map((file) => file.name)).toEqual([`${prefix}a`, `${prefix}b/c`]);
    await storage.bucket(STAGING).file(`${prefix}a`).delete();
    expect((await storage.bucket(STAGING).file(`${prefix}a`).exists())[0]).toBe(false);
    expect(gcs.listObjects(STAGING, { prefix }).map((object) => object.resource.name)).toEqual([
      `${prefix}b/c`,
    ]);
  });

  it("also serves JSON-API paths without /storage/v1, as STORAGE_EMULATOR_HOST clients send them", async () => {
    const name = uniqueName("emulator-host");
    gcs.putObject(STAGING, name, "bytes");
    const path = `${gcs.apiEndpoint}/b/${STAGING}/o/${encodeURIComponent(name)}`;
    expect(await (await fetch(path)).json()).toMatchObject({ name, size: "5" });
    const media = await fetch(`${path}?alt=media`);
    expect(await media.text()).toBe("bytes");
    expect(media.headers.get("x-goog-hash")).toMatch(/^crc32c=[^,]+,md5=.+$/);
  });

  it("serves byte ranges (unvalidated, as the client requires)", async () => {
    const name = uniqueName();
    gcs.putObject(STAGING, name, "0123456789");
    const chunks: Buffer[] = [];
    for await (const chunk of storage
      .bucket(STAGING)
      .file(name)
      .createReadStream({ start: 2, end: 5 })) {
      chunks.push(chunk as Buffer);
    }
    expect(Buffer.concat(chunks).toString()).toBe("2345");
  });
});
