/** Figures for notebooks: parameter counts and loss curves as plotly JSON, SVG and HTML. */
export { Figure, PLOTLY_MIME } from "./figure";
export type { Layout, RenderOptions, Trace } from "./figure";
export { BLOCK_VIEW_ABOVE, blockOf, params, paramsTitle } from "./params";
export type { LayerParams, ParamCounts, ParamsOptions } from "./params";
export { toSVG } from "./svg";
export { plotlyLibraryHTML, type PlotlyLibraryMode } from "./html";
export { bestEpoch, loss, lossSummary } from "./loss";
export type { BatchLog, HistoryLike, Logs, LossOptions, TrainingLog, UnfreezeEvent } from "./loss";
export { LossCallback, lossCallback } from "./loss_callback";
export type { LossCallbackOptions } from "./loss_callback";
export { load, type LoadReportLike } from "./load";
export { confusion, type ConfusionLike, type ConfusionOptions } from "./confusion";
