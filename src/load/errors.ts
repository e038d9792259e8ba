/** GraftLoadError: a strict load found problems; nothing was changed. */
import { GraftError } from "../errors";
import type { LoadReport } from "./report";

/**
 * Thrown by `loadWeights(..., { strict: true })` when any weight is missing, unexpected,
 * mismatched or incompatible — before anything changes in the model. Carries the whole
 * report; the message lists the first few problems, each with the option that fixes it.
 * @example
 * ```ts
 * try { await loadWeights(model, "resnet18.pth", { strict: true }); }
 * catch (e) { if (e instanceof GraftLoadError) console.log(e.report.mismatched); }
 * ```
 */
export class GraftLoadError extends GraftError {
  readonly report: LoadReport;
  constructor(report: LoadReport, shown = 5) {
    const issues = report.issues();
    const lines = issues.slice(0, shown).map((i) => `  - ${i.message}`);
    if (issues.length > shown) lines.push(`  … and ${issues.length - shown} more (see error.report)`);
    super(
      `Cannot load ${report.source || "the checkpoint"} strictly: ${issues.length} problem${issues.length === 1 ? "" : "s"}; ` +
        `nothing in the model was changed.\n${lines.join("\n")}`,
    );
    this.report = report;
  }
}
