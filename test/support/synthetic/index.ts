/**
 * Synthetic, deterministic Sentry Config-scope exports for tests, benchmarks and the bundled
 * example. The product never imports this; it exists so tests need no fixture from `../shared`.
 */
export { expectedConfigImportCounts, expectedCounts } from "./counts.ts";
export type { ExpectedCounts, TableCounts } from "./counts.ts";
export { writeExportFile } from "./file.ts";
export type { WrittenExport } from "./file.ts";
export { generateExport, generateExportText } from "./generate.ts";
export type { ModelCounts } from "./generate.ts";
export { CONFIG_MODELS, CONFIG_TABLES, FILE_ORDER, OUT_OF_SCOPE_MODELS } from "./models.ts";
export type { ConfigModel, ConfigTable, OutOfScopeModel, SyntheticModel } from "./models.ts";
export { resolveOptions, syntheticExportOptionsSchema } from "./options.ts";
export type { ResolvedOptions, SyntheticExportOptions } from "./options.ts";
