/** Loading checkpoints into tfjs models: names, layouts, the match plan, the report, atomic apply. */
export { loadWeights, planReport } from "./load_weights";
export { planLoad, type LoadPlan, type PlanSource, type PlannedLoad, type LoadWarning } from "./plan";
export { LoadReport } from "./report";
export type { LoadIssue, LoadIssueCode, LoadTimings } from "./report";
export { GraftLoadError } from "./errors";
export type { LoadOptions, NamePattern } from "./options";
export { TORCH_LAYOUTS, TORCH_IGNORED, torchRule } from "./layouts";
export type { LayoutRule, LayoutContext } from "./layouts";
export { modelWeights, torchNamesOf, tfjsKeyCandidates, KNOWN_PREFIXES } from "./names";
export type { ModelWeight } from "./names";
