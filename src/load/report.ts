/**
 * LoadReport (ARCHITECTURE.md §3): what a load did, as data — loaded (with each transform), missing,
 * unexpected (with "did you mean"), mismatched (both shapes), incompatible, skipped, ignored,
 * warnings, coverage — and three renderings: terminal text, notebook HTML, JSON.
 */
import { dims, issuesOf, LoadIssue } from "./_problems";
import type { LoadPlan, LoadWarning } from "./plan";

export type { LoadIssue, LoadIssueCode } from "./_problems";

/** Where a load's time went (ms): opening the file (index only), planning, then applying — reading, converting, assigning. */
export interface LoadTimings {
  openMs: number;
  planMs: number;
  /** Wall time of reading + converting + assigning (reads overlap conversion). */
  applyMs: number;
  /** CPU time spent converting layouts into tensor memory. */
  convertMs: number;
  assignMs: number;
  /** Wall time of the wasm in-place path (reading and transposing in the heap), when taken. */
  inPlaceMs?: number;
  /** Of the in-place weights, those a second thread read and transposed. */
  inPlaceShared?: number;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number): string => `${(Math.floor(x * 1000) / 10).toFixed(1)} %`;
/** Most rows a section shows (loaded: 20 in text); the rest are counted. */
const MAX_SECTION_ROWS = 1000;
const capped = (rows: string[][], max: number, width: number): string[][] =>
  rows.length <= max ? rows : [...rows.slice(0, max), ["…", `${rows.length - max} more`, ...Array<string>(Math.max(0, width - 2)).fill("")]];
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : word.endsWith("h") ? "es" : "s"}`;

/**
 * The outcome of {@link loadWeights} (or of a dry run). Print it, display it in a notebook,
 * or read its fields.
 * @example
 * ```ts
 * const report = await loadWeights(model, "resnet18.pth");
 * console.log(report.toString()); // loaded 120/122 tensors, 99.8 % of parameters; 2 shape mismatches (…)
 * report.mismatched; // [{ target: "fc/kernel", source: "fc.weight", modelShape: [512, 10], checkpointShape: [1000, 512], … }]
 * ```
 */
export class LoadReport {
  readonly source: string;
  readonly format: string;
  readonly container?: string;
  readonly layout: "torch" | "tfjs";
  readonly applied: boolean;
  readonly elapsedMs: number;
  readonly loaded: { target: string; source: string; shape: number[]; transform: string; structural: boolean }[];
  readonly missing: LoadPlan["missing"];
  readonly unexpected: LoadPlan["unexpected"];
  readonly mismatched: LoadPlan["mismatched"];
  readonly incompatible: LoadPlan["incompatible"];
  readonly skipped: LoadPlan["skipped"];
  readonly ignored: LoadPlan["ignored"];
  readonly warnings: LoadWarning[];
  /** Loaded parameters / all model parameters (elements, not tensors). */
  readonly coverage: number;
  readonly totalTensors: number;
  readonly prefix?: LoadPlan["prefix"];
  readonly timings?: LoadTimings;

  /** Why nothing was applied, when nothing was: "dry run", "strict: problems found". */
  readonly notApplied?: string;

  constructor(plan: LoadPlan, run: { applied: boolean; elapsedMs: number; timings?: LoadTimings; notApplied?: string }) {
    this.timings = run.timings;
    this.notApplied = run.applied ? undefined : (run.notApplied ?? (plan.loaded.length === 0 ? "nothing matched" : "dry run"));
    this.source = plan.path;
    this.format = plan.format;
    this.container = plan.container;
    this.layout = plan.layout;
    this.applied = run.applied;
    this.elapsedMs = run.elapsedMs;
    this.loaded = plan.loaded.map((l) => ({ target: l.target, source: l.sources.join(" + "), shape: l.shape, transform: l.transform, structural: l.structural }));
    this.missing = plan.missing;
    this.unexpected = plan.unexpected;
    this.mismatched = plan.mismatched;
    this.incompatible = plan.incompatible;
    this.skipped = plan.skipped;
    this.ignored = plan.ignored;
    this.warnings = plan.warnings;
    this.coverage = plan.totalParams === 0 ? 1 : plan.loadedParams / plan.totalParams;
    this.totalTensors = plan.totalTensors;
    this.prefix = plan.prefix;
  }

  /** Every problem as data keyed by code, each with its message and fix. */
  issues(): LoadIssue[] {
    return issuesOf({ layout: this.layout, mismatched: this.mismatched, incompatible: this.incompatible, unexpected: this.unexpected, missing: this.missing } as LoadPlan);
  }

  /** True when nothing is missing, unexpected, mismatched or incompatible. */
  get ok(): boolean {
    return this.missing.length + this.unexpected.length + this.mismatched.length + this.incompatible.length === 0;
  }

  /** "loaded 120/122 tensors, 99.8 % of parameters; 2 shape mismatches (fc.weight 1000×512 vs 10×512, fc.bias)". */
  summary(): string {
    const parts = [`loaded ${this.loaded.length}/${this.totalTensors} tensors, ${pct(this.coverage)} of parameters`];
    if (this.mismatched.length > 0) {
      const [first, ...rest] = this.mismatched;
      const named = [`${first.source} ${dims(first.checkpointShape)} vs ${dims(first.expectedShape)}`, ...rest.slice(0, 3).map((m) => m.source)];
      parts.push(`${plural(this.mismatched.length, "shape mismatch")} (${named.join(", ")}${rest.length > 3 ? ", …" : ""})`);
    }
    const list = (xs: string[]) => ` (${xs.slice(0, 3).join(", ")}${xs.length > 3 ? ", …" : ""})`;
    if (this.missing.length > 0) parts.push(`${this.missing.length} missing${list(this.missing.map((m) => m.target))}`);
    if (this.unexpected.length > 0) parts.push(`${this.unexpected.length} unexpected${list(this.unexpected.map((u) => u.source))}`);
    if (this.incompatible.length > 0) parts.push(`${this.incompatible.length} incompatible${list(this.incompatible.map((i) => i.target))}`);
    const structural = this.loaded.filter((l) => l.structural).length;
    if (structural > 0) parts.push(`${structural} matched by structure`);
    if (this.skipped.length > 0) parts.push(`${this.skipped.length} skipped`);
    parts.push(this.applied ? `applied in ${Math.round(this.elapsedMs)} ms` : `not applied (${this.notApplied})`);
    return parts.join("; ");
  }

  private sections(): { title: string; header: string[]; rows: string[][] }[] {
    const shape = (s: number[]) => `[${s.join(", ")}]`;
    return [
      { title: `mismatched (${this.mismatched.length})`, header: ["model weight", "checkpoint entry", "checkpoint", "model expects"], rows: this.mismatched.map((m) => [m.target, m.source, shape(m.checkpointShape), shape(m.expectedShape)]) },
      { title: `incompatible (${this.incompatible.length})`, header: ["model weight", "checkpoint entries", "why"], rows: this.incompatible.map((i) => [i.target, i.sources.join(" + "), i.reason]) },
      { title: `missing (${this.missing.length}), left as initialised`, header: ["model weight", "shape", "looked for"], rows: this.missing.map((m) => [m.target, shape(m.shape), (m.expected ?? []).join(" + ")]) },
      { title: `unexpected (${this.unexpected.length})`, header: ["checkpoint entry", "shape", "did you mean"], rows: this.unexpected.map((u) => [u.source, shape(u.shape), u.suggestion ?? ""]) },
      { title: `warnings (${this.warnings.length})`, header: ["kind", "message"], rows: this.warnings.map((w) => [w.code, w.message]) },
      { title: `skipped (${this.skipped.length})`, header: ["checkpoint entry", "shape"], rows: this.skipped.map((s) => [s.source, shape(s.shape)]) },
      { title: `ignored (${this.ignored.length})`, header: ["checkpoint entry", "why"], rows: this.ignored.map((i) => [i.source, i.reason]) },
      { title: `loaded (${this.loaded.length})`, header: ["model weight", "checkpoint entry", "shape", "transform"], rows: this.loaded.map((l) => [l.target, l.source, shape(l.shape), l.transform + (l.structural ? " (by structure)" : "")]) },
    ].filter((s) => s.rows.length > 0);
  }

  private heading(): string {
    const where = `${this.source || "checkpoint"} (${this.format}${this.container ? `, container "${this.container}"` : ""}, ${this.layout} layout)`;
    return `LoadReport: ${where}`;
  }

  /** Terminal rendering: heading, summary, then one aligned table per non-empty section (loaded last, at most 20 rows). */
  toString(): string {
    const out = [this.heading(), this.summary()];
    for (const s of this.sections()) {
      const rows = capped(s.rows, s.title.startsWith("loaded") ? 20 : MAX_SECTION_ROWS, s.header.length);
      const widths = s.header.map((h, i) => Math.min(60, rows.reduce((w, r) => Math.max(w, (r[i] ?? "").length), h.length)));
      const line = (r: string[]) => "  " + r.map((c, i) => (i === r.length - 1 ? c : (c ?? "").padEnd(widths[i]))).join("  ");
      out.push("", `${s.title}:`, line(s.header), ...rows.map(line));
    }
    return out.join("\n");
  }

  /** Notebook rendering: the summary line first, then a collapsible `<details>` per section (problems open). */
  toHTML(): string {
    const color = this.ok ? "#1a7f37" : this.mismatched.length + this.incompatible.length > 0 ? "#cf222e" : "#9a6700";
    const parts = [`<div class="graft-load-report" style="font-family:system-ui,sans-serif;font-size:13px">`,
      `<div style="color:${color};font-weight:600">${esc(this.summary())}</div>`,
      `<div style="color:#57606a">${esc(this.heading())}</div>`];
    for (const s of this.sections()) {
      const open = /^(mismatched|incompatible|missing|unexpected|warnings)/.test(s.title) ? " open" : "";
      const head = s.header.map((h) => `<th style="text-align:left;padding:0 8px">${esc(h)}</th>`).join("");
      const rows = capped(s.rows, MAX_SECTION_ROWS, s.header.length).map((r) => `<tr>${r.map((c) => `<td style="padding:0 8px;font-family:monospace">${esc(c)}</td>`).join("")}</tr>`).join("");
      // Notebook 6's stylesheet sets summary to display:block, which hides the marker: list-item brings the ▸/▾ back.
      parts.push(`<details${open}><summary style="display:list-item;cursor:pointer">${esc(s.title)}</summary><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></details>`);
    }
    parts.push("</div>");
    return parts.join("\n");
  }

  /** Plain data: every field, the summary and the issues. */
  toJSON(): object {
    return {
      source: this.source, format: this.format, container: this.container, layout: this.layout, applied: this.applied,
      elapsedMs: this.elapsedMs, coverage: this.coverage, summary: this.summary(), loaded: this.loaded, missing: this.missing,
      unexpected: this.unexpected, mismatched: this.mismatched, incompatible: this.incompatible, skipped: this.skipped,
      ignored: this.ignored, warnings: this.warnings, prefix: this.prefix, timings: this.timings, issues: this.issues(),
    };
  }

  /** Jupyter (tslab/graft kernel) display: HTML and text. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return { "text/html": this.toHTML(), "text/plain": this.toString() };
  }
}
