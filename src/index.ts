/**
 * graft: transfer learning for TensorFlow.js. Read pretrained checkpoints, graft their weights
 * onto tfjs models with a mismatch report, freeze layers by pattern, train and plot inline.
 */
import { assertTfjsInternals } from "./_tfjs_private";

assertTfjsInternals();

export * from "./errors";
export * from "./train";
export * from "./checkpoint";
export * from "./load";
export { save, stateDict, GraftSaveError, TORCH_EXPORT_LAYOUTS, inverseRule } from "./save";
export type { SaveOptions, SaveResult, StateDictEntry, ExportNames, InverseRule, TorchTensor } from "./save";
export * from "./freeze";
export * as plot from "./plot";
export * as zoo from "./zoo";
export * as hub from "./hub";
export * as data from "./data";
export * from "./display";
