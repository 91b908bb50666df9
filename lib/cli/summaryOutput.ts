/** How an import's result is shown: a per-model table for people, or JSON with `--json`. */
import type { ImportReport } from "../engine/runImport.ts";

const SKIP_REASONS: Readonly<Record<string, string>> = {
  outOfScope: "not in this import's scope",
  unknown: "not a model this import writes",
  removed: "removed from Sentry",
};

export function formatSummaryTable(
  report: Pick<ImportReport, "importUuid" | "dryRun" | "summary" | "unresolvedReferences">,
): string {
  const header = ["model", "rows", "inserted", "existing", "overwritten", "skipped"];
  const lines = report.summary.models.map((m) => [
    m.model,
    String(m.rows),
    String(m.inserted),
    String(m.existing),
    String(m.overwritten),
    String(m.skipped),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ");
  const out = [
    report.dryRun
      ? `Dry run: validated and planned import ${report.importUuid}; nothing was written.`
      : `Imported ${report.importUuid}.`,
    "",
    format(header),
    ...lines.map(format),
  ];
  if (report.summary.models.length === 0) {
    out.push("(no rows of this import's scope in the file)");
  }
  if (report.summary.skippedModels.length > 0) {
    out.push("", "Passed over:");
    for (const s of report.summary.skippedModels) {
      out.push(`  ${s.model}: ${String(s.rows)} row(s), ${SKIP_REASONS[s.reason] ?? s.reason}`);
    }
  }
  if (report.unresolvedReferences.length > 0) {
    out.push("", "Rows skipped because a user reference names no user in the file:");
    for (const u of report.unresolvedReferences) {
      out.push(
        `  ${u.model} pk ${String(u.pk)} (position ${String(u.position)}): ${u.field} = ["${u.key}"] (${u.reason === "ambiguous" ? "ambiguous" : "no match"})`,
      );
    }
  }
  return `${out.join("\n")}\n`;
}

export function summaryJson(report: ImportReport): string {
  return `${JSON.stringify(
    {
      import_uuid: report.importUuid,
      dry_run: report.dryRun,
      chunk_size: report.plan.chunkSize,
      models: report.summary.models,
      skipped_models: report.summary.skippedModels,
      unresolved_references: report.unresolvedReferences,
    },
    null,
    2,
  )}\n`;
}
