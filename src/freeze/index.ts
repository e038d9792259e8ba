/**
 * Freezing: select layers by pattern, freeze and unfreeze them so that tfjs training honours it
 * (fit, custom loops, BatchNorm), count parameters, guard against drift, unfreeze gradually.
 */
export { GraftPatternError, GraftDriftError } from "./errors";
export { globToRegExp, selectLayers, layerNames, parsePattern } from "./pattern";
export type { Pattern } from "./pattern";
export type { LayerNode } from "./_tree";
export { freeze, unfreeze, freezeUpTo, frozenLayers } from "./freeze";
export type { FreezeOptions } from "./freeze";
export { refreshTrainable, trainableVariables } from "./trainable";
export { layerGroups, freezeTo } from "./groups";
export type { LayerGroup } from "./groups";
export { countParams } from "./count";
export type { ParamCounts, LayerParams } from "./count";
export { formatParams, paramsTable } from "./params_table";
export type { ParamsTable } from "./params_table";
export { snapshotFrozen, checkFrozen, frozenGuard, FrozenGuard } from "./guard";
export type { FrozenSnapshot } from "./guard";
export { setLearningRateFactors } from "./lr_factors";
export { unfreezeSchedule, UnfreezeSchedule } from "./schedule";
export type { UnfreezeStep, UnfreezeScheduleOptions, UnfreezeEvent } from "./schedule";
