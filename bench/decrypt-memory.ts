/**
 * Peak memory of streaming decryption: writes a ~200 MB synthetic export, encrypts it with the
 * backup writer, then decrypts it in fresh child processes (once to a file, once through the
 * plaintext source counting bytes) and prints each child's peak RSS and wall time.
 *
 *   npx tsx bench/decrypt-memory.ts [megabytes=200]
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

import {
  generateRsaKeyPair,
  makeLocalKeyDecryptor,
  makeLocalPublicKeyProvider,
} from "../lib/adapters/localKey.ts";
import { decryptBackupToFile, encryptBackupToFile } from "../lib/format/backupFiles.ts";
import { fileSource } from "../lib/format/byteSources.ts";
import { openEncryptedBackup } from "../lib/format/openBackup.ts";

type Mode = "encrypt" | "decrypt-to-file" | "decrypt-count";

interface ChildReport {
  mode: Mode;
  seconds: number;
  maxRssMiB: number;
  bytes: number;
}

const SELF = fileURLToPath(import.meta.url);

async function writeSyntheticExport(path: string, targetBytes: number): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  let pk = 0;
  out.write("[");
  while (written < targetBytes) {
    const rows: string[] = [];
    for (let i = 0; i < 1000; i += 1) {
      pk += 1;
      rows.push(
        JSON.stringify({
          model: "sentry.user",
          pk,
          fields: {
            password: `pbkdf2_sha256$150000$${randomBytes(9).toString("base64")}$${randomBytes(32).toString("base64")}`,
            last_login: null,
            username: `user${pk}@example.com`,
            name: `Synthetic User ${pk}`,
            email: `user${pk}@example.com`,
            is_staff: false,
            is_active: true,
            is_superuser: pk % 100 === 0,
            is_managed: false,
            is_sentry_app: null,
            is_password_expired: false,
            is_unclaimed: false,
            last_password_change: "2023-06-22T22:59:57.023Z",
            flags: "0",
            session_nonce: null,
            date_joined: "2023-06-22T22:59:55.488Z",
            last_active: "2023-06-22T22:59:55.489Z",
            avatar_type: 0,
            avatar_url: null,
          },
        }),
      );
    }
    const text = (pk === 1000 ? "" : ",") + rows.join(",");
    written += Buffer.byteLength(text);
    if (!out.write(text)) {
      await once(out, "drain");
    }
  }
  out.end("]");
  await once(out, "finish");
  return (await stat(path)).size;
}

async function child(mode: Mode, dir: string): Promise<void> {
  const started = performance.now();
  let bytes = 0;
  const archive = join(dir, "backup.tar");
  if (mode === "encrypt") {
    const plaintextPath = join(dir, "export.json");
    const length = (await stat(plaintextPath)).size;
    const provider = makeLocalPublicKeyProvider(await readFile(join(dir, "key.pub")), "key.pub");
    await encryptBackupToFile(
      { plaintext: fileSource(plaintextPath), plaintextLength: length },
      provider,
      archive,
    );
    bytes = (await stat(archive)).size;
  } else {
    const decryptor = makeLocalKeyDecryptor(await readFile(join(dir, "key.pem")), "key.pem");
    if (mode === "decrypt-to-file") {
      ({ plaintextBytes: bytes } = await decryptBackupToFile(
        fileSource(archive),
        decryptor,
        join(dir, "decrypted.json"),
      ));
    } else {
      const opened = await openEncryptedBackup(fileSource(archive), decryptor, { label: archive });
      for await (const piece of opened.plaintext()) {
        bytes += piece.byteLength;
      }
    }
  }
  const report: ChildReport = {
    mode,
    seconds: (performance.now() - started) / 1000,
    // maxRSS is in KiB.
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    bytes,
  };
  process.stdout.write(JSON.stringify(report));
}

function runChild(mode: Mode, dir: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...process.execArgv, SELF, "--child", mode, dir],
      { maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`${mode} child failed: ${stderr}`, { cause: error }));
          return;
        }
        resolve(JSON.parse(stdout) as ChildReport);
      },
    );
  });
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? "200");
  const dir = await mkdtemp(join(tmpdir(), "sentry-import-bench-"));
  try {
    const pair = await generateRsaKeyPair(2048);
    await writeFile(join(dir, "key.pem"), pair.privateKeyPem);
    await writeFile(join(dir, "key.pub"), pair.publicKeyPem);
    const size = await writeSyntheticExport(join(dir, "export.json"), megabytes * 1_000_000);
    process.stdout.write(`plaintext export: ${(size / 1e6).toFixed(1)} MB\n`);
    for (const mode of ["encrypt", "decrypt-to-file", "decrypt-count"] as const) {
      const report = await runChild(mode, dir);
      process.stdout.write(
        `${mode.padEnd(16)} ${report.seconds.toFixed(2)} s   peak RSS ${report.maxRssMiB.toFixed(0)} MiB   ` +
          `${(report.bytes / 1e6).toFixed(1)} MB\n`,
      );
    }
    const [original, decrypted] = await Promise.all([
      sha256(join(dir, "export.json")),
      sha256(join(dir, "decrypted.json")),
    ]);
    if (original !== decrypted) {
      throw new Error("the decrypted export differs from the original");
    }
    process.stdout.write("decrypted file is identical to the original (sha256)\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  await child(process.argv[3] as Mode, process.argv[4] ?? "");
} else {
  await main();
}
