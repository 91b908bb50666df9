import { createHash } from "node:crypto";
import { crc32cBase64 } from "./crc32c.ts";

/**
 * The Storage stand-in's in-memory buckets: generations, preconditions and object resources with
 * Cloud Storage's JSON shapes (gcp-platform.md §3.2, §4). Without versioning an overwrite or a
 * delete drops the old generation, so a generation-pinned read of it is a 404, as in a bucket
 * without Object Versioning.
 */

/** The object resource, as the JSON API and the finalize event's StorageObjectData carry it. */
export interface StorageObjectData {
  readonly kind: "storage#object";
  /** `bucket/name/generation` */
  readonly id: string;
  readonly selfLink: string;
  readonly mediaLink: string;
  readonly bucket: string;
  readonly name: string;
  /** decimal strings: generations exceed 2^53 */
  readonly generation: string;
  readonly metageneration: string;
  readonly size: string;
  readonly contentType: string;
  readonly storageClass: "STANDARD";
  /** base64 of the big-endian CRC32C */
  readonly crc32c: string;
  readonly md5Hash: string;
  readonly etag: string;
  readonly timeCreated: string;
  readonly updated: string;
  readonly timeStorageClassUpdated: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface StoredObject {
  readonly resource: StorageObjectData;
  readonly bytes: Buffer;
}

/** The four precondition query parameters, as decimal strings. */
export interface Preconditions {
  readonly ifGenerationMatch?: string | undefined;
  readonly ifGenerationNotMatch?: string | undefined;
  readonly ifMetagenerationMatch?: string | undefined;
  readonly ifMetagenerationNotMatch?: string | undefined;
}

export interface WriteOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export type WriteResult =
  | { readonly kind: "created"; readonly object: StoredObject }
  | { readonly kind: "noBucket" }
  | { readonly kind: "conditionNotMet" };

export type DeleteResult = "deleted" | "notFound" | "noBucket" | "conditionNotMet";

interface Bucket {
  readonly versioning: boolean;
  /** name → generations, oldest first; the last one is live unless `deleted` */
  readonly objects: Map<string, { versions: StoredObject[]; liveDeleted: boolean }>;
}

export interface GcsStore {
  createBucket(name: string, options?: { readonly versioning?: boolean }): void;
  hasBucket(name: string): boolean;
  bucketVersioning(name: string): boolean | undefined;
  /** The live object, or one generation of it (live or noncurrent). */
  get(bucket: string, name: string, generation?: string): StoredObject | undefined;
  write(
    bucket: string,
    name: string,
    bytes: Buffer,
    options: WriteOptions,
    preconditions: Preconditions,
  ): WriteResult;
  remove(
    bucket: string,
    name: string,
    generation: string | undefined,
    preconditions: Preconditions,
  ): DeleteResult;
  /** Live objects (or every generation with `versions`) whose name starts with `prefix`, by name. */
  list(bucket: string, options: { prefix?: string; versions?: boolean }): StoredObject[];
}

export function makeGcsStore(baseUrl: string): GcsStore {
  const buckets = new Map<string, Bucket>();
  // Microseconds since the epoch, like real generations, and strictly increasing.
  let lastGeneration = 0n;
  const nextGeneration = (): string => {
    const now = BigInt(Date.now()) * 1000n;
    lastGeneration = now > lastGeneration ? now : lastGeneration + 1n;
    return lastGeneration.toString();
  };

  const liveOf = (bucket: Bucket, name: string): StoredObject | undefined => {
    const entry = bucket.objects.get(name);
    return entry === undefined || entry.liveDeleted ? undefined : entry.versions.at(-1);
  };

  const makeResource = (
    bucket: string,
    name: string,
    bytes: Buffer,
    options: WriteOptions,
  ): StorageObjectData => {
    const generation = nextGeneration();
    const now = new Date().toISOString();
    const path = `b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}`;
    const metadata = options.metadata;
    return {
      kind: "storage#object",
      id: `${bucket}/${name}/${generation}`,
      selfLink: `${baseUrl}/storage/v1/${path}`,
      mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${generation}&alt=media`,
      bucket,
      name,
      generation,
      metageneration: "1",
      size: String(bytes.length),
      contentType: options.contentType ?? "application/octet-stream",
      storageClass: "STANDARD",
      crc32c: crc32cBase64(bytes),
      md5Hash: createHash("md5").update(bytes).digest("base64"),
      etag: Buffer.from(generation).toString("base64"),
      timeCreated: now,
      updated: now,
      timeStorageClassUpdated: now,
      ...(metadata === undefined || Object.keys(metadata).length === 0
        ? {}
        : { metadata: { ...metadata } }),
    };
  };

  return {
    createBucket: (name, options = {}) => {
      if (!buckets.has(name)) {
        buckets.set(name, { versioning: options.versioning ?? false, objects: new Map() });
      }
    },
    hasBucket: (name) => buckets.has(name),
    bucketVersioning: (name) => buckets.get(name)?.versioning,
    get: (bucketName, name, generation) => {
      const bucket = buckets.get(bucketName);
      if (bucket === undefined) {
        return undefined;
      }
      if (generation === undefined) {
        return liveOf(bucket, name);
      }
      return bucket.objects
        .get(name)
        ?.versions.find((version) => version.resource.generation === generation);
    },
    write: (bucketName, name, bytes, options, preconditions) => {
      const bucket = buckets.get(bucketName);
      if (bucket === undefined) {
        return { kind: "noBucket" };
      }
      if (!preconditionsHold(liveOf(bucket, name), preconditions)) {
        return { kind: "conditionNotMet" };
      }
      const object: StoredObject = {
        resource: makeResource(bucketName, name, bytes, options),
        bytes: Buffer.from(bytes),
      };
      const entry = bucket.objects.get(name);
      if (entry === undefined) {
        bucket.objects.set(name, { versions: [object], liveDeleted: false });
      } else {
        entry.versions = bucket.versioning ? [...entry.versions, object] : [object];
        entry.liveDeleted = false;
      }
      return { kind: "created", object };
    },
    remove: (bucketName, name, generation, preconditions) => {
      const bucket = buckets.get(bucketName);
      if (bucket === undefined) {
        return "noBucket";
      }
      const entry = bucket.objects.get(name);
      const target =
        generation === undefined
          ? liveOf(bucket, name)
          : entry?.versions.find((version) => version.resource.generation === generation);
      if (entry === undefined || target === undefined) {
        return "notFound";
      }
      if (!preconditionsHold(target, preconditions)) {
        return "conditionNotMet";
      }
      const isLive = target === liveOf(bucket, name);
      if (isLive && bucket.versioning && generation === undefined) {
        // the live version becomes noncurrent
        entry.liveDeleted = true;
        return "deleted";
      }
      entry.versions = entry.versions.filter((version) => version !== target);
      if (isLive) {
        entry.liveDeleted = true;
      }
      if (entry.versions.length === 0) {
        bucket.objects.delete(name);
      }
      return "deleted";
    },
    list: (bucketName, { prefix = "", versions = false }) => {
      const bucket = buckets.get(bucketName);
      if (bucket === undefined) {
        return [];
      }
      const names = [...bucket.objects.keys()].filter((name) => name.startsWith(prefix)).sort();
      return names.flatMap((name) => {
        if (versions) {
          return bucket.objects.get(name)?.versions ?? [];
        }
        const live = liveOf(bucket, name);
        return live === undefined ? [] : [live];
      });
    },
  };
}

/** Whether the preconditions hold for `object` (undefined = no such object, generation 0). */
export function preconditionsHold(
  object: StoredObject | undefined,
  preconditions: Preconditions,
): boolean {
  const generation = object?.resource.generation ?? "0";
  const metageneration = object?.resource.metageneration;
  const {
    ifGenerationMatch,
    ifGenerationNotMatch,
    ifMetagenerationMatch,
    ifMetagenerationNotMatch,
  } = preconditions;
  if (ifGenerationMatch !== undefined && ifGenerationMatch !== generation) {
    return false;
  }
  if (ifGenerationNotMatch !== undefined && ifGenerationNotMatch === generation) {
    return false;
  }
  // metageneration conditions fail on a missing object, as in Cloud Storage
  if (ifMetagenerationMatch !== undefined && ifMetagenerationMatch !== metageneration) {
    return false;
  }
  if (ifMetagenerationNotMatch !== undefined && ifMetagenerationNotMatch === metageneration) {
    return false;
  }
  return true;
}
