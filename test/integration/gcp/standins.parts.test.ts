import { CRC32C } from "@google-cloud/storage";
import { describe, expect, it } from "vitest";
import { crc32c, crc32cBase64 } from "../../../lib/emulator/standins/crc32c.ts";
import { storageFinalizeCloudEvent } from "../../../lib/emulator/standins/gcs.ts";
import type { StorageObjectData } from "../../../lib/emulator/standins/gcs.ts";
import { multipartBoundary, parseMultipart } from "../../../lib/emulator/standins/multipart.ts";
import { seededChance } from "../../../lib/emulator/standins/chaos.ts";
import {
  DEFAULT_RETRY_CONFIG,
  parseDurationSeconds,
  retriesExhausted,
} from "../../../lib/emulator/standins/tasksRetry.ts";

// The stand-ins' pure parts: they must agree with what Google's services and clients compute.

describe("stand-in CRC32C", () => {
  it("has the Castagnoli check value and Cloud Storage's base64 form", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
    expect(crc32cBase64(Buffer.from("hello world\n"))).toBe("8P9ykg==");
  });

  it("agrees with the Storage client's CRC32C, also when computed in pieces", () => {
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 31 + 7) & 0xff));
    const reference = new CRC32C();
    reference.update(bytes);
    expect(crc32cBase64(bytes)).toBe(reference.toString());
    expect(crc32c(bytes.subarray(5000), crc32c(bytes.subarray(0, 5000)))).toBe(
      reference.valueOf() >>> 0,
    );
  });
});

describe("stand-in multipart parser", () => {
  it("splits a multipart/related body into binary-safe parts", () => {
    const binary = Buffer.from([0, 13, 10, 45, 45, 255]);
    const body = Buffer.concat([
      Buffer.from('--b1\r\nContent-Type: application/json\r\n\r\n{"name":"x"}\r\n--b1\r\n'),
      Buffer.from("Content-Type: application/octet-stream\r\n\r\n"),
      binary,
      Buffer.from("\r\n--b1--"),
    ]);
    const boundary = multipartBoundary('multipart/related; boundary="b1"');
    expect(boundary).toBe("b1");
    const parts = parseMultipart(body, boundary ?? "");
    expect(parts.map((part) => part.headers["content-type"])).toEqual([
      "application/json",
      "application/octet-stream",
    ]);
    expect(parts[0]?.body.toString()).toBe('{"name":"x"}');
    expect(parts[1]?.body.equals(binary)).toBe(true);
  });

  it("rejects a body without its closing boundary", () => {
    expect(() => parseMultipart(Buffer.from("--b1\r\n\r\nabc"), "b1")).toThrow(/closing boundary/);
    expect(multipartBoundary("application/json")).toBeUndefined();
  });
});

describe("stand-in retry limits", () => {
  it("stops only when both limits are used up, and an unlimited one does not hold the other back", () => {
    const both = { ...DEFAULT_RETRY_CONFIG, maxAttempts: 3, maxRetryDurationSeconds: 60 };
    expect(retriesExhausted(both, 3, 30)).toBe(false);
    expect(retriesExhausted(both, 2, 90)).toBe(false);
    expect(retriesExhausted(both, 3, 60)).toBe(true);
    const attemptsOnly = { ...both, maxRetryDurationSeconds: 0 };
    expect(retriesExhausted(attemptsOnly, 3, 0)).toBe(true);
    const durationOnly = { ...both, maxAttempts: -1 };
    expect(retriesExhausted(durationOnly, 1000, 59)).toBe(false);
    expect(retriesExhausted(durationOnly, 1, 60)).toBe(true);
    const unlimited = { ...both, maxAttempts: -1, maxRetryDurationSeconds: 0 };
    expect(retriesExhausted(unlimited, 10_000, 10_000)).toBe(false);
  });

  it("parses protobuf JSON durations", () => {
    expect(parseDurationSeconds("900s")).toBe(900);
    expect(parseDurationSeconds("0.5s")).toBe(0.5);
    expect(parseDurationSeconds("15")).toBeUndefined();
  });
});

describe("stand-in chaos", () => {
  it("answers the same question the same way for a seed, and differently across seeds", () => {
    const a = seededChance(1);
    const b = seededChance(2);
    expect(a("duplicate", "task", 1)).toBe(seededChance(1)("duplicate", "task", 1));
    expect(a("duplicate", "task", 1)).not.toBe(b("duplicate", "task", 1));
    const draws = Array.from({ length: 1000 }, (_, i) => a("x", i));
    expect(draws.every((draw) => draw >= 0 && draw < 1)).toBe(true);
    const mean = draws.reduce((sum, draw) => sum + draw, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe("stand-in finalize event", () => {
  it("wraps the object as Eventarc's storage finalize CloudEvent, with a stable id per version", () => {
    const object = {
      bucket: "backups",
      name: "dir/b1.tar",
      id: "backups/dir/b1.tar/1587627537231057",
      updated: "2020-04-23T07:38:57.230Z",
    } as StorageObjectData;
    const event = storageFinalizeCloudEvent(object);
    expect(event).toMatchObject({
      specversion: "1.0",
      type: "google.cloud.storage.object.v1.finalized",
      source: "//storage.googleapis.com/projects/_/buckets/backups",
      subject: "objects/dir/b1.tar",
      data: object,
    });
    expect(storageFinalizeCloudEvent(object).id).toBe(event.id);
  });
});
