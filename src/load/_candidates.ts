/**
 * Private: the two sides the planner pairs up — checkpoint entries (after skip/rename/prefix)
 * and model weights — and the check of one proposed pairing against the layout table.
 */
import type { TensorInfo } from "../checkpoint/types";
import { LayoutContext, layoutContext, LayoutRule, tfjsRule, torchRule } from "./layouts";
import type { ModelWeight } from "./names";

/** A checkpoint entry as matching sees it. */
export interface SourceEntry {
  /** The name in the checkpoint (what `read` takes). */
  original: string;
  /** The name after `rename` and prefix handling (what matching compares). */
  name: string;
  shape: number[];
  byteLength: number;
  info: TensorInfo;
}

export type Layout = "torch" | "tfjs";

/** Outcome of pairing one model weight with its source entries. */
export type PairOutcome =
  | { kind: "loaded"; rule: LayoutRule; ctx: LayoutContext; transform: string }
  | { kind: "mismatched"; converted?: number[]; transform: string }
  | { kind: "incompatible"; reason: string };

export const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** The layout rule for a weight under a layout; undefined when torch has no counterpart. */
export function ruleFor(w: ModelWeight, layout: Layout): LayoutRule | undefined {
  const cls = w.layer.getClassName();
  return layout === "torch" ? torchRule(cls, w.local) : tfjsRule(cls, w.local);
}

/** Checks that `sources` convert to exactly the weight's shape. */
export function pair(w: ModelWeight, rule: LayoutRule, sources: SourceEntry[]): PairOutcome {
  const ctx = layoutContext(w.layer, w.shape);
  const reason = rule.incompatible?.(ctx);
  if (reason) return { kind: "incompatible", reason };
  const transform = rule.describe(ctx);
  const converted = rule.shape(sources.map((s) => s.shape), ctx);
  if (converted && sameShape(converted, w.shape)) return { kind: "loaded", rule, ctx, transform };
  return { kind: "mismatched", converted, transform };
}
