// The stand-ins are product code (`sentry-import emulate` runs them); tests import them from here.
export * from "../../../lib/emulator/standins/loopback.ts";
