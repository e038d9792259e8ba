/**
 * graft: transfer learning for TensorFlow.js. Read pretrained checkpoints, graft their weights
 * onto tfjs models with a mismatch report, freeze layers by pattern, train and plot inline.
 */
import { assertTfjsInternals } from "./_tfjs_private";

assertTfjsInternals();

export { GraftError } from "./errors";
export { engine, ready, tf } from "./engine";
export type { EngineInfo } from "./engine";
export { nativeRuntime, toOnnx } from "./native";
export type { NativeRuntimeInfo, OnnxExport } from "./native";
export { GraftCacheError, evaluate, fit, infer, losses, predict } from "./train";
export type { CacheFrozenOptions, CrossEntropyOptions, EvaluateResult, EvaluateTensors, FitOptions, InferOptions, LoaderLike, LossFn, PredictOptions, Prediction } from "./train";
export { GraftFormatError, GraftUnsafePickleError, inspectCheckpoint, open, openKerasH5, openKerasV3, openNpy, openNpz, openSafetensors, openTfjs, openTorchLegacy, openTorchZip, renderInspect, sniffFormat } from "./checkpoint";
export type { Checkpoint, CheckpointFormat, CheckpointSummary, OpenOptions, RawTensor, SourceDType, TensorInfo, TypedArray } from "./checkpoint";
export { GraftLoadError, KNOWN_PREFIXES, LoadReport, TORCH_IGNORED, TORCH_LAYOUTS, loadWeights, modelWeights, planLoad, planReport, tfjsKeyCandidates, torchNamesOf, torchRule } from "./load";
export type { LayoutContext, LayoutRule, LoadIssue, LoadIssueCode, LoadOptions, LoadPlan, LoadTimings, LoadWarning, ModelWeight, NamePattern, PlanSource, PlannedLoad } from "./load";
export { save, stateDict, GraftSaveError, TORCH_EXPORT_LAYOUTS, inverseRule } from "./save";
export type { SaveOptions, SaveResult, StateDictEntry, ExportNames, InverseRule, TorchTensor } from "./save";
export { FrozenGuard, GraftDriftError, GraftPatternError, UnfreezeSchedule, checkFrozen, countParams, formatParams, freeze, freezeTo, freezeUpTo, frozenGuard, frozenLayers, globToRegExp, layerGroups, layerNames, paramsTable, parsePattern, refreshTrainable, selectLayers, setLearningRateFactors, snapshotFrozen, trainableVariables, unfreeze, unfreezeSchedule } from "./freeze";
export type { FreezeOptions, FrozenSnapshot, LayerGroup, LayerNode, LayerParams, ParamCounts, ParamsTable, Pattern, UnfreezeEvent, UnfreezeScheduleOptions, UnfreezeStep } from "./freeze";
export * as plot from "./plot";
export * as zoo from "./zoo";
export * as hub from "./hub";
export * as data from "./data";
export { checkpointBundle, clearOutput, display, plainText, progressBar, toMimeBundle } from "./display";
export type { DisplayHandle, DisplayOptions, MimeBundle, ProgressReporter } from "./display";
