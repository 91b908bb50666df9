/**
 * The functions' configuration: every environment variable they read is named here, parsed once
 * with zod, with no silent fallbacks (conventions.md convention 4). Terraform passes exactly
 * these (infra/ is checked against `FUNCTION_ENV_VARS`).
 */
import { z } from "zod";

const hostPort = z
  .string()
  .regex(/^[^:/]+:\d{1,5}$/, "must be HOST:PORT")
  .transform((value) => {
    const [host = "", port = "0"] = value.split(":");
    return { host, port: Number(port) };
  });

const positiveInt = z.coerce.number().int().positive();

export const configSchema = z.strictObject({
  /** Postgres the chunks are imported into (a Secret Manager secret in production) */
  DATABASE_URL: z.string().min(1),
  /** `projects/…/cryptoKeyVersions/N`: the KMS key version that unwraps backup DEKs */
  KMS_KEY_VERSION: z
    .string()
    .regex(
      /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/[^/]+$/,
      "must be a full KMS crypto key version name",
    ),
  /** where encrypted chunk payloads, findings and summaries go; never the backups bucket */
  STAGING_BUCKET: z.string().min(3),
  TASKS_PROJECT: z.string().min(1),
  TASKS_LOCATION: z.string().min(1),
  TASKS_QUEUE: z.string().regex(/^[A-Za-z0-9-]{1,100}$/),
  /** the importChunk function's URL, the tasks' target */
  IMPORT_CHUNK_URL: z.url(),
  /** the OIDC identity tasks are sent with; absent in the emulator */
  TASKS_SERVICE_ACCOUNT: z.email().optional(),
  /** the OIDC audience; defaults to IMPORT_CHUNK_URL */
  TASKS_AUDIENCE: z.url().optional(),
  IMPORT_SCOPE: z.enum(["config", "users"]).default("config"),
  CHUNK_SIZE: positiveInt.default(1000),
  MERGE_USERS: z.stringbool().default(false),
  OVERWRITE_CONFIGS: z.stringbool().default(false),
  /** emulation only: loopback stand-ins of the Google APIs */
  STORAGE_API_ENDPOINT: z.url().optional(),
  KMS_API_ENDPOINT: hostPort.optional(),
  TASKS_API_ENDPOINT: hostPort.optional(),
});

export type Config = z.infer<typeof configSchema>;

/** Every variable the functions read: the single list Terraform is checked against. */
export const FUNCTION_ENV_VARS = Object.keys(configSchema.shape) as readonly (keyof Config)[];

/** The variables without a default that must always be set. */
export const REQUIRED_ENV_VARS = FUNCTION_ENV_VARS.filter(
  (name) => !configSchema.shape[name].safeParse(undefined).success,
);

export class ConfigError extends Error {}

/** Parses the environment; throws once, listing every problem. Unknown variables are ignored. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const relevant: Record<string, string> = {};
  for (const name of FUNCTION_ENV_VARS) {
    const value = env[name];
    if (value !== undefined && value !== "") {
      relevant[name] = value;
    }
  }
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
