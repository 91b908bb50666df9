import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import { crc32cBase64 } from "./crc32c.ts";
import { makeGcsStore, preconditionsHold } from "./gcsStore.ts";
import type { Preconditions, StorageObjectData, StoredObject, WriteOptions } from "./gcsStore.ts";
import { jsonResponse, startLoopbackServer } from "./loopback.ts";
import type { LoggedRequest, LoopbackServer, Route, StandinResponse } from "./loopback.ts";
import { multipartBoundary, parseMultipart } from "./multipart.ts";

export type { StorageObjectData } from "./gcsStore.ts";

/**
 * An in-memory Cloud Storage JSON API serving what `@google-cloud/storage` 8 sends when built
 * with `apiEndpoint: "http://127.0.0.1:<port>"` (gcp-platform.md §4, §8.2). Paths are also
 * accepted without the `/storage/v1` prefix, which is what `STORAGE_EMULATOR_HOST` produces.
 *
 *   POST   /upload/storage/v1/b/{bucket}/o?uploadType=multipart&name=…[&ifGenerationMatch=N]
 *   POST   /upload/storage/v1/b/{bucket}/o?uploadType=resumable&name=…  → Location: session URI
 *   PUT    {session URI}   Content-Range: bytes 0-*∕N | bytes A-B∕N | bytes *∕N (status query)
 *   POST   /upload/storage/v1/b/{bucket}/o?uploadType=media&name=…
 *   GET    /storage/v1/b/{bucket}/o/{object}[?generation=N]           object resource
 *   GET    /storage/v1/b/{bucket}/o/{object}?alt=media[&generation=N]  bytes + x-goog-hash
 *   DELETE /storage/v1/b/{bucket}/o/{object}[?generation=N]
 *   GET    /storage/v1/b/{bucket}/o?prefix=…[&versions=true]
 *   GET    /storage/v1/b/{bucket}, POST /storage/v1/b?project=… {name}
 *
 * Preconditions (`ifGenerationMatch` and friends) answer 412 `conditionNotMet`; generations,
 * metagenerations and sizes are decimal strings; checksums are base64 (CRC32C big-endian).
 */

export type GcsOperation =
  "upload" | "uploadChunk" | "getMetadata" | "download" | "delete" | "list" | "bucket";

export interface GcsFailure {
  readonly httpStatus: number;
  /** the `errors[0].reason` (`backendError`, `rateLimitExceeded`, …); derived from the status if absent */
  readonly reason?: string;
  readonly message?: string;
  /** only requests of this operation fail; any operation when absent */
  readonly operation?: GcsOperation;
}

export interface GcsStandinOptions {
  /** buckets that exist from the start (more with `createBucket` or the JSON API) */
  readonly buckets?: readonly string[];
  /** Object Versioning for those buckets: keep overwritten and deleted generations */
  readonly versioning?: boolean;
}

/** Called for every object created, by the API or by `putObject`: what a finalize event carries. */
export type FinalizeListener = (object: StorageObjectData) => void;

export interface GcsStandin {
  readonly server: LoopbackServer;
  /** `http://127.0.0.1:<port>`: the `apiEndpoint` for `new Storage(…)` */
  readonly apiEndpoint: string;
  /** Requests routed to each operation, failed ones included. */
  readonly calls: Record<GcsOperation, number>;
  createBucket(name: string, options?: { readonly versioning?: boolean }): void;
  /** Writes an object as another producer would (no preconditions), firing finalize listeners. */
  putObject(
    bucket: string,
    name: string,
    bytes: Uint8Array | string,
    options?: WriteOptions,
  ): StorageObjectData;
  /** The live object, or one generation of it. */
  getObject(bucket: string, name: string, generation?: string): StoredObject | undefined;
  /** Live objects by name (every generation with `versions`). */
  listObjects(bucket: string, options?: { prefix?: string; versions?: boolean }): StoredObject[];
  deleteObject(bucket: string, name: string, generation?: string): boolean;
  /** Subscribes to object creation; returns the unsubscribe function. */
  onFinalize(listener: FinalizeListener): () => void;
  /** Errors thrown by finalize listeners (they never fail the request that created the object). */
  readonly listenerErrors: readonly unknown[];
  /** The next `count` downloads serve one flipped byte under the true `x-goog-hash`. */
  corruptNextDownloads(count?: number): void;
  /** The next `count` matching requests fail with this error, before any side effect. */
  failNext(count: number, failure: GcsFailure): void;
  /**
   * The next `count` matching requests take effect and then answer 503 `backendError`, as when a
   * response is lost after the write committed.
   */
  loseNextResponses(count: number, operation?: GcsOperation): void;
  /** Clears controls, counters and the request log; buckets and objects stay. */
  reset(): void;
  close(): Promise<void>;
}

const BUCKET = "([^/]+)";
const API = "(?:/storage/v1)?";
const digits = z.string().regex(/^\d+$/);

const queryPreconditions = z.looseObject({
  ifGenerationMatch: digits.optional(),
  ifGenerationNotMatch: digits.optional(),
  ifMetagenerationMatch: digits.optional(),
  ifMetagenerationNotMatch: digits.optional(),
  generation: digits.optional(),
});

// The object resource a client sends with an upload; unknown fields are ignored.
const uploadResource = z.looseObject({
  name: z.string().min(1).optional(),
  contentType: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
  crc32c: z.string().optional(),
  md5Hash: z.string().optional(),
});
type UploadResource = z.infer<typeof uploadResource>;

const bucketResource = z.looseObject({
  name: z.string().min(1),
  versioning: z.looseObject({ enabled: z.boolean().optional() }).optional(),
});

interface ResumableSession {
  readonly bucket: string;
  readonly name: string;
  readonly options: WriteOptions;
  readonly preconditions: Preconditions;
  readonly chunks: Buffer[];
  received: number;
  finished: StoredObject | undefined;
}

interface Controls {
  corruptDownloads: number;
  failures: GcsFailure[];
  lose: { operation: GcsOperation | undefined }[];
}

export async function startGcsStandin(options: GcsStandinOptions = {}): Promise<GcsStandin> {
  const calls = freshCalls();
  let controls: Controls = { corruptDownloads: 0, failures: [], lose: [] };
  const listeners = new Set<FinalizeListener>();
  const listenerErrors: unknown[] = [];
  const sessions = new Map<string, ResumableSession>();
  // the base URL is known only once the server listens; routes read it lazily
  let baseUrl = "";
  let store = makeGcsStore("");

  const finalized = (object: StoredObject): void => {
    for (const listener of listeners) {
      try {
        listener(object.resource);
      } catch (error) {
        listenerErrors.push(error);
      }
    }
  };

  /** Counts the call, applies injected failures and lost responses around `handler`. */
  const operation =
    (
      operationOf: GcsOperation | ((request: LoggedRequest) => GcsOperation),
      handler: (request: LoggedRequest, match: RegExpExecArray) => StandinResponse,
    ) =>
    (request: LoggedRequest, match: RegExpExecArray): StandinResponse => {
      const name = typeof operationOf === "string" ? operationOf : operationOf(request);
      calls[name] += 1;
      const failureAt = controls.failures.findIndex(
        (failure) => failure.operation === undefined || failure.operation === name,
      );
      if (failureAt !== -1) {
        const [failure] = controls.failures.splice(failureAt, 1);
        if (failure !== undefined) {
          return gcsError(
            failure.httpStatus,
            failure.reason ?? reasonFor(failure.httpStatus),
            failure.message ?? `injected ${failure.httpStatus}`,
          );
        }
      }
      const response = handler(request, match);
      const loseAt = controls.lose.findIndex(
        (lose) => lose.operation === undefined || lose.operation === name,
      );
      if (loseAt !== -1) {
        controls.lose.splice(loseAt, 1);
        return gcsError(503, "backendError", "injected: response lost after the side effect");
      }
      return response;
    };

  const upload = (request: LoggedRequest, match: RegExpExecArray): StandinResponse => {
    const bucket = match[1] ?? "";
    const query = parseQuery(request);
    if (!query.success) {
      return gcsError(400, "invalid", z.prettifyError(query.error));
    }
    const uploadType = request.query.get("uploadType");
    let resource: UploadResource;
    let bytes: Buffer;
    if (uploadType === "multipart") {
      const parsed = parseMultipartUpload(request);
      if (typeof parsed === "string") {
        return gcsError(400, "invalid", parsed);
      }
      ({ resource, bytes } = parsed);
    } else if (uploadType === "media") {
      bytes = request.body;
      const contentType = header(request, "content-type");
      resource = contentType === undefined ? {} : { contentType };
    } else if (uploadType === "resumable") {
      return startResumable(request, bucket, query.data);
    } else {
      return gcsError(400, "invalid", `unsupported uploadType ${uploadType ?? "(none)"}`);
    }
    const name = request.query.get("name") ?? resource.name;
    if (name === undefined || name === "") {
      return gcsError(400, "required", "Required parameter: name");
    }
    const mismatch = checksumMismatch(bytes, resource.crc32c, resource.md5Hash);
    if (mismatch !== undefined) {
      return gcsError(400, "invalid", mismatch);
    }
    return finishWrite(bucket, name, bytes, writeOptions(resource), query.data);
  };

  const finishWrite = (
    bucket: string,
    name: string,
    bytes: Buffer,
    writeOpts: WriteOptions,
    preconditions: Preconditions,
  ): StandinResponse => {
    const result = store.write(bucket, name, bytes, writeOpts, preconditions);
    switch (result.kind) {
      case "noBucket":
        return noSuchBucket(bucket);
      case "conditionNotMet":
        return conditionNotMet();
      case "created":
        finalized(result.object);
        return jsonResponse(200, result.object.resource);
    }
  };

  const startResumable = (
    request: LoggedRequest,
    bucket: string,
    preconditions: Preconditions,
  ): StandinResponse => {
    const body = request.body.length === 0 ? {} : parseJson(request.body);
    const resource = uploadResource.safeParse(body);
    if (!resource.success) {
      return gcsError(400, "invalid", z.prettifyError(resource.error));
    }
    const name = request.query.get("name") ?? resource.data.name;
    if (name === undefined || name === "") {
      return gcsError(400, "required", "Required parameter: name");
    }
    if (!store.hasBucket(bucket)) {
      return noSuchBucket(bucket);
    }
    // Cloud Storage checks preconditions when the session starts and again when it completes.
    if (!preconditionsHold(store.get(bucket, name), preconditions)) {
      return conditionNotMet();
    }
    const contentType = header(request, "x-upload-content-type") ?? resource.data.contentType;
    const uploadId = randomUUID();
    sessions.set(uploadId, {
      bucket,
      name,
      options: writeOptions({ ...resource.data, ...(contentType ? { contentType } : {}) }),
      preconditions,
      chunks: [],
      received: 0,
      finished: undefined,
    });
    const location =
      `${baseUrl}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable` +
      `&name=${encodeURIComponent(name)}&upload_id=${uploadId}`;
    return { status: 200, headers: { location, "content-length": "0" }, body: "" };
  };

  const resumableChunk = (request: LoggedRequest): StandinResponse => {
    const session = sessions.get(request.query.get("upload_id") ?? "");
    if (session === undefined) {
      return gcsError(404, "notFound", "No such upload session.");
    }
    if (session.finished !== undefined) {
      return jsonResponse(200, session.finished.resource);
    }
    const range = parseContentRange(header(request, "content-range"));
    if (range === undefined) {
      return gcsError(400, "invalid", "Content-Range is missing or malformed");
    }
    if (range.start !== undefined) {
      if (range.start > session.received) {
        return gcsError(
          400,
          "invalid",
          `Content-Range starts at ${range.start}, expected ≤ ${session.received}`,
        );
      }
      // bytes the server already holds are skipped, as Cloud Storage does on a resend
      const fresh = request.body.subarray(session.received - range.start);
      session.chunks.push(Buffer.from(fresh));
      session.received += fresh.length;
    }
    const complete =
      range.total === undefined
        ? range.start !== undefined && range.end === undefined // `A-*/*`: the body ended the object
        : session.received >= range.total;
    if (!complete) {
      return {
        status: 308,
        headers: {
          "content-length": "0",
          ...(session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {}),
        },
        body: "",
      };
    }
    const bytes = Buffer.concat(session.chunks);
    const hashes = parseGoogHash(header(request, "x-goog-hash"));
    const mismatch = checksumMismatch(bytes, hashes["crc32c"], hashes["md5"]);
    if (mismatch !== undefined) {
      sessions.delete(request.query.get("upload_id") ?? "");
      return gcsError(400, "invalid", mismatch);
    }
    const result = store.write(
      session.bucket,
      session.name,
      bytes,
      session.options,
      session.preconditions,
    );
    switch (result.kind) {
      case "noBucket":
        return noSuchBucket(session.bucket);
      case "conditionNotMet":
        return conditionNotMet();
      case "created":
        session.finished = result.object;
        finalized(result.object);
        return jsonResponse(200, result.object.resource);
    }
  };

  const getObject = (request: LoggedRequest, match: RegExpExecArray): StandinResponse => {
    const bucket = match[1] ?? "";
    const name = match[2] ?? "";
    const query = parseQuery(request);
    if (!query.success) {
      return gcsError(400, "invalid", z.prettifyError(query.error));
    }
    if (!store.hasBucket(bucket)) {
      return noSuchBucket(bucket);
    }
    const object = store.get(bucket, name, query.data.generation);
    if (object === undefined) {
      return noSuchObject(bucket, name);
    }
    if (!preconditionsHold(object, query.data)) {
      return conditionNotMet();
    }
    if (request.query.get("alt") !== "media") {
      return jsonResponse(200, object.resource);
    }
    return media(request, object);
  };

  const media = (request: LoggedRequest, object: StoredObject): StandinResponse => {
    const { resource } = object;
    let body = object.bytes;
    let status = 200;
    const headers: Record<string, string> = {
      "content-type": resource.contentType,
      "x-goog-hash": `crc32c=${resource.crc32c},md5=${resource.md5Hash}`,
      "x-goog-generation": resource.generation,
      "x-goog-metageneration": resource.metageneration,
      "x-goog-stored-content-length": resource.size,
      "x-goog-stored-content-encoding": "identity",
      etag: resource.etag,
      "last-modified": new Date(resource.updated).toUTCString(),
    };
    const range = parseRange(header(request, "range"), body.length);
    if (range === "unsatisfiable") {
      return gcsError(
        416,
        "requestedRangeNotSatisfiable",
        "The requested range cannot be satisfied.",
      );
    }
    if (range !== undefined) {
      body = body.subarray(range.start, range.end + 1);
      status = 206;
      headers["content-range"] = `bytes ${range.start}-${range.end}/${object.bytes.length}`;
    }
    if (controls.corruptDownloads > 0) {
      controls.corruptDownloads -= 1;
      body = corrupt(body);
    }
    headers["content-length"] = String(body.length);
    return { status, headers, body };
  };

  const deleteObject = (request: LoggedRequest, match: RegExpExecArray): StandinResponse => {
    const bucket = match[1] ?? "";
    const name = match[2] ?? "";
    const query = parseQuery(request);
    if (!query.success) {
      return gcsError(400, "invalid", z.prettifyError(query.error));
    }
    const result = store.remove(bucket, name, query.data.generation, query.data);
    switch (result) {
      case "noBucket":
        return noSuchBucket(bucket);
      case "notFound":
        return noSuchObject(bucket, name);
      case "conditionNotMet":
        return conditionNotMet();
      case "deleted":
        return { status: 204, headers: { "content-length": "0" }, body: "" };
    }
  };

  const list = (request: LoggedRequest, match: RegExpExecArray): StandinResponse => {
    const bucket = match[1] ?? "";
    if (!store.hasBucket(bucket)) {
      return noSuchBucket(bucket);
    }
    const prefix = request.query.get("prefix") ?? "";
    const delimiter = request.query.get("delimiter") ?? "";
    const versions = request.query.get("versions") === "true";
    const maxResults = Number(request.query.get("maxResults") ?? "1000") || 1000;
    const after = request.query.get("pageToken") ?? "";
    const prefixes = new Set<string>();
    const items: StorageObjectData[] = [];
    let nextPageToken: string | undefined;
    for (const object of store.list(bucket, { prefix, versions })) {
      const { name } = object.resource;
      const key = `${name}#${object.resource.generation.padStart(20, "0")}`;
      if (after !== "" && key <= Buffer.from(after, "base64url").toString()) {
        continue;
      }
      const rest = name.slice(prefix.length);
      const cut = delimiter === "" ? -1 : rest.indexOf(delimiter);
      if (cut !== -1) {
        prefixes.add(prefix + rest.slice(0, cut + delimiter.length));
        continue;
      }
      if (items.length === maxResults) {
        const last = items.at(-1);
        if (last !== undefined) {
          nextPageToken = Buffer.from(`${last.name}#${last.generation.padStart(20, "0")}`).toString(
            "base64url",
          );
        }
        break;
      }
      items.push(object.resource);
    }
    return jsonResponse(200, {
      kind: "storage#objects",
      ...(items.length > 0 ? { items } : {}),
      ...(prefixes.size > 0 ? { prefixes: [...prefixes].sort() } : {}),
      ...(nextPageToken === undefined ? {} : { nextPageToken }),
    });
  };

  const getBucket = (_request: LoggedRequest, match: RegExpExecArray): StandinResponse => {
    const bucket = match[1] ?? "";
    const versioning = store.bucketVersioning(bucket);
    return versioning === undefined
      ? noSuchBucket(bucket)
      : jsonResponse(200, bucketJson(bucket, versioning));
  };

  const insertBucket = (request: LoggedRequest): StandinResponse => {
    const parsed = bucketResource.safeParse(parseJson(request.body));
    if (!parsed.success) {
      return gcsError(400, "invalid", z.prettifyError(parsed.error));
    }
    const { name, versioning } = parsed.data;
    if (store.hasBucket(name)) {
      return gcsError(
        409,
        "conflict",
        "Your previous request to create the named bucket succeeded and you already own it.",
      );
    }
    store.createBucket(name, { versioning: versioning?.enabled ?? false });
    return jsonResponse(200, bucketJson(name, versioning?.enabled ?? false));
  };

  const routes: Route[] = [
    {
      method: "POST",
      path: new RegExp(`^/upload/storage/v1/b/${BUCKET}/o$`),
      handler: operation("upload", upload),
    },
    {
      method: "PUT",
      path: new RegExp(`^/upload/storage/v1/b/${BUCKET}/o$`),
      handler: operation("uploadChunk", resumableChunk),
    },
    {
      method: "GET",
      path: new RegExp(`^(?:/download)?${API}/b/${BUCKET}/o/(.+)$`),
      handler: operation(readOperation, getObject),
    },
    {
      method: "DELETE",
      path: new RegExp(`^${API}/b/${BUCKET}/o/(.+)$`),
      handler: operation("delete", deleteObject),
    },
    { method: "GET", path: new RegExp(`^${API}/b/${BUCKET}/o$`), handler: operation("list", list) },
    {
      method: "GET",
      path: new RegExp(`^${API}/b/${BUCKET}$`),
      handler: operation("bucket", getBucket),
    },
    { method: "POST", path: new RegExp(`^${API}/b$`), handler: operation("bucket", insertBucket) },
  ];

  const server = await startLoopbackServer(routes);
  baseUrl = server.baseUrl;
  store = makeGcsStore(baseUrl);
  for (const bucket of options.buckets ?? []) {
    store.createBucket(bucket, { versioning: options.versioning ?? false });
  }

  return {
    server,
    apiEndpoint: baseUrl,
    calls,
    createBucket: (name, bucketOptions) => {
      store.createBucket(name, bucketOptions);
    },
    putObject: (bucket, name, bytes, writeOpts = {}) => {
      const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes);
      const result = store.write(bucket, name, data, writeOpts, {});
      if (result.kind !== "created") {
        throw new Error(`GCS stand-in: no bucket ${bucket}`);
      }
      finalized(result.object);
      return result.object.resource;
    },
    getObject: (bucket, name, generation) => store.get(bucket, name, generation),
    listObjects: (bucket, listOptions = {}) => store.list(bucket, listOptions),
    deleteObject: (bucket, name, generation) =>
      store.remove(bucket, name, generation, {}) === "deleted",
    onFinalize: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    listenerErrors,
    corruptNextDownloads: (count = 1) => {
      controls.corruptDownloads += count;
    },
    failNext: (count, failure) => {
      for (let i = 0; i < count; i += 1) {
        controls.failures.push(failure);
      }
    },
    loseNextResponses: (count, lostOperation) => {
      for (let i = 0; i < count; i += 1) {
        controls.lose.push({ operation: lostOperation });
      }
    },
    reset: () => {
      controls = { corruptDownloads: 0, failures: [], lose: [] };
      Object.assign(calls, freshCalls());
      listenerErrors.length = 0;
      server.clearLog();
    },
    close: () => server.close(),
  };
}

function readOperation(request: LoggedRequest): GcsOperation {
  return request.query.get("alt") === "media" ? "download" : "getMetadata";
}

function freshCalls(): Record<GcsOperation, number> {
  return {
    upload: 0,
    uploadChunk: 0,
    getMetadata: 0,
    download: 0,
    delete: 0,
    list: 0,
    bucket: 0,
  };
}

function parseQuery(request: LoggedRequest) {
  return queryPreconditions.safeParse(Object.fromEntries(request.query));
}

function parseMultipartUpload(
  request: LoggedRequest,
): { resource: UploadResource; bytes: Buffer } | string {
  const boundary = multipartBoundary(header(request, "content-type"));
  if (boundary === undefined) {
    return "uploadType=multipart needs a multipart/related Content-Type with a boundary";
  }
  let parts;
  try {
    parts = parseMultipart(request.body, boundary);
  } catch (error) {
    return `malformed multipart body: ${error instanceof Error ? error.message : String(error)}`;
  }
  const [metadataPart, mediaPart] = parts;
  if (parts.length !== 2 || metadataPart === undefined || mediaPart === undefined) {
    return `a multipart upload has 2 parts, not ${parts.length}`;
  }
  const resource = uploadResource.safeParse(parseJson(metadataPart.body));
  if (!resource.success) {
    return `bad object resource: ${z.prettifyError(resource.error)}`;
  }
  const mediaType = mediaPart.headers["content-type"];
  return {
    resource: {
      ...resource.data,
      ...(resource.data.contentType === undefined && mediaType !== undefined
        ? { contentType: mediaType }
        : {}),
    },
    bytes: Buffer.from(mediaPart.body),
  };
}

function writeOptions(resource: UploadResource): WriteOptions {
  return {
    ...(resource.contentType === undefined ? {} : { contentType: resource.contentType }),
    ...(resource.metadata == null ? {} : { metadata: resource.metadata }),
  };
}

function checksumMismatch(
  bytes: Buffer,
  crc32c: string | undefined,
  md5: string | undefined,
): string | undefined {
  if (crc32c !== undefined && crc32c !== crc32cBase64(bytes)) {
    return `Provided CRC32C "${crc32c}" doesn't match calculated CRC32C "${crc32cBase64(bytes)}".`;
  }
  const actualMd5 = createHash("md5").update(bytes).digest("base64");
  if (md5 !== undefined && md5 !== actualMd5) {
    return `Provided MD5 hash "${md5}" doesn't match calculated MD5 hash "${actualMd5}".`;
  }
  return undefined;
}

function parseGoogHash(value: string | undefined): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const pair of (value ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at > 0) {
      hashes[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
  }
  return hashes;
}

/** `bytes A-B/N`, `bytes A-*∕N`, `bytes A-B/*`, `bytes *∕N`, `bytes *∕*`. */
function parseContentRange(
  value: string | undefined,
): { start?: number; end?: number; total?: number } | undefined {
  const match = /^bytes (?:(\d+)-(\d+|\*)|\*)\/(\d+|\*)$/.exec((value ?? "").trim());
  if (match === null) {
    return undefined;
  }
  const [, start, end, total] = match;
  return {
    ...(start === undefined ? {} : { start: Number(start) }),
    ...(end === undefined || end === "*" ? {} : { end: Number(end) }),
    ...(total === undefined || total === "*" ? {} : { total: Number(total) }),
  };
}

/** An HTTP `Range: bytes=…` over `size` bytes: undefined = whole object. */
function parseRange(
  value: string | undefined,
  size: number,
): { start: number; end: number } | "unsatisfiable" | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec((value ?? "").trim());
  if (match === null) {
    return undefined;
  }
  const [, from = "", to = ""] = match;
  if (from === "" && to === "") {
    return undefined;
  }
  const start = from === "" ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === "" || to === "" ? size - 1 : Math.min(Number(to), size - 1);
  return start > end || start >= size ? "unsatisfiable" : { start, end };
}

function corrupt(bytes: Buffer): Buffer {
  if (bytes.length === 0) {
    return Buffer.from([0]);
  }
  const copy = Buffer.from(bytes);
  copy[0] = (copy[0] ?? 0) ^ 0xff;
  return copy;
}

function header(request: LoggedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function bucketJson(name: string, versioning: boolean): Record<string, unknown> {
  return {
    kind: "storage#bucket",
    id: name,
    name,
    location: "US-CENTRAL1",
    storageClass: "STANDARD",
    versioning: { enabled: versioning },
  };
}

/** Cloud Storage's JSON error body; the client reads `code`, `message` and `errors[].reason`. */
export function gcsError(httpStatus: number, reason: string, message: string): StandinResponse {
  return jsonResponse(httpStatus, {
    error: { code: httpStatus, message, errors: [{ domain: "global", reason, message }] },
  });
}

function reasonFor(httpStatus: number): string {
  switch (httpStatus) {
    case 429:
      return "rateLimitExceeded";
    case 404:
      return "notFound";
    case 412:
      return "conditionNotMet";
    case 403:
      return "forbidden";
    default:
      return httpStatus >= 500 ? "backendError" : "invalid";
  }
}

function conditionNotMet(): StandinResponse {
  return gcsError(
    412,
    "conditionNotMet",
    "At least one of the pre-conditions you specified did not hold.",
  );
}

function noSuchObject(bucket: string, name: string): StandinResponse {
  return gcsError(404, "notFound", `No such object: ${bucket}/${name}`);
}

function noSuchBucket(bucket: string): StandinResponse {
  return gcsError(404, "notFound", `The specified bucket ${bucket} does not exist.`);
}

/** The CloudEvent (structured mode) Eventarc delivers for an object's finalize (§3.2). */
export interface StorageFinalizeCloudEvent {
  readonly specversion: "1.0";
  readonly id: string;
  readonly type: "google.cloud.storage.object.v1.finalized";
  readonly source: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: "application/json";
  readonly data: StorageObjectData;
}

/**
 * Wraps an object resource as the finalize event. The id is derived from the object version, so
 * a redelivery (which the emulator may send on purpose) carries the same id, as Eventarc's do.
 */
export function storageFinalizeCloudEvent(object: StorageObjectData): StorageFinalizeCloudEvent {
  return {
    specversion: "1.0",
    id: createHash("sha256").update(object.id).digest("hex").slice(0, 16),
    type: "google.cloud.storage.object.v1.finalized",
    source: `//storage.googleapis.com/projects/_/buckets/${object.bucket}`,
    subject: `objects/${object.name}`,
    time: object.updated,
    datacontenttype: "application/json",
    data: object,
  };
}
