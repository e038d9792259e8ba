/**
 * Private: every problem of a plan as data keyed by code (zod-style issues), and its wording
 * ("what failed, the actual values, the fix") shared by the report and GraftLoadError.
 */
import type { LoadPlan } from "./plan";

export type LoadIssueCode = "shape_mismatch" | "missing" | "unexpected" | "incompatible";

/** One problem: which weight or entry, what was expected and found, and the option that fixes it. */
export interface LoadIssue {
  code: LoadIssueCode;
  /** tfjs weight (`fc/kernel`) or checkpoint name. */
  path: string;
  expected?: number[];
  actual?: number[];
  message: string;
}

export const shapeText = (s: readonly number[]): string => `[${s.join(", ")}]`;
export const dims = (s: readonly number[]): string => (s.length === 0 ? "scalar" : s.join("×"));

/** `fc.weight` → `fc.*`; `dense/kernel` → `dense/*`: the glob that skips a module's entries. */
export function moduleGlob(source: string): string {
  const cut = Math.max(source.lastIndexOf("."), source.lastIndexOf("/"));
  return cut < 0 ? source : `${source.slice(0, cut + 1)}*`;
}

/** The issues of a plan, most actionable first. */
export function issuesOf(plan: LoadPlan): LoadIssue[] {
  const out: LoadIssue[] = [];
  for (const m of plan.mismatched) {
    out.push({
      code: "shape_mismatch",
      path: m.target,
      expected: m.expectedShape,
      actual: m.checkpointShape,
      message:
        `Cannot load ${m.source}: checkpoint ${shapeText(m.checkpointShape)}, model ${shapeText(m.expectedShape)}` +
        `${plan.layout === "torch" ? ` (tfjs ${m.target} ${shapeText(m.modelShape)})` : ""}; it was left as initialised — ` +
        `pass skip: '${moduleGlob(m.source.split(" + ")[0])}' to silence this`,
    });
  }
  for (const i of plan.incompatible) {
    out.push({ code: "incompatible", path: i.target, message: `Cannot load ${i.sources.join(" + ")} into ${i.target}: ${i.reason}; it was left as initialised — pass skip: '${moduleGlob(i.sources[0])}' to silence this` });
  }
  for (const u of plan.unexpected) {
    const extra = u.suggestion && u.source.length > u.suggestion.length && u.source.endsWith(u.suggestion) ? u.source.slice(0, u.source.length - u.suggestion.length) : undefined;
    const hint = extra
      ? `did you mean ${u.suggestion}? pass stripPrefix: "${extra}" to drop the prefix from every name`
      : u.suggestion
      ? `did you mean ${u.suggestion}? pass rename: [["${u.source}", "${u.suggestion}"]] (or a RegExp for the whole module), or skip: '${moduleGlob(u.source)}'`
      : `pass rename: [[pattern, replacement]] to map it onto a model weight, or skip: '${moduleGlob(u.source)}' to leave it out`;
    out.push({ code: "unexpected", path: u.source, actual: u.shape, message: `Checkpoint entry ${u.source} ${shapeText(u.shape)} matches no model weight; ${hint}` });
  }
  for (const m of plan.missing) {
    const expected = m.expected ? ` (looked for ${m.expected.join(" + ")})` : "";
    out.push({
      code: "missing",
      path: m.target,
      expected: m.shape,
      message: `Model weight ${m.target} ${shapeText(m.shape)} has no checkpoint entry${expected}; it was left as initialised — pass rename: [[pattern, replacement]] if the checkpoint names it differently, or strict: false to accept it`,
    });
  }
  return out;
}
