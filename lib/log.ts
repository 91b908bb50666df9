/**
 * Structured logs that Cloud Logging understands: one JSON object per line with `severity` and
 * `message`, plus the import's coordinates. Values under secret-looking keys are never written.
 */
export type Severity = "DEBUG" | "INFO" | "NOTICE" | "WARNING" | "ERROR";

export interface LogFields {
  readonly importUuid?: string;
  readonly model?: string;
  readonly ordinal?: number;
  readonly [key: string]: unknown;
}

export type Logger = (severity: Severity, message: string, fields?: LogFields) => void;

const SECRET_KEY = /(password|token|secret|key|hash|authorization|dsn|url)/i;

function redact(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === "importUuid" || key === "model" || key === "ordinal") {
      out[key] = value;
    } else if (SECRET_KEY.test(key)) {
      out[key] = "[redacted]";
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function makeJsonLogger(write: (line: string) => void): Logger {
  return (severity, message, fields = {}) => {
    write(`${JSON.stringify({ severity, message, ...redact(fields) })}\n`);
  };
}

export const silentLogger: Logger = () => undefined;
