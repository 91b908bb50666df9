// the fault injector is product code (`sentry-import emulate --chaos` uses it)
export { withInjectedFaults } from "../../lib/emulator/faults.ts";
