/** Figures for notebooks: parameter counts and loss curves as plotly JSON, SVG and HTML. */
export * from "./figure";
export * from "./params";
export { toSVG } from "./svg";
export { plotlyLibraryHTML, type PlotlyLibraryMode } from "./html";
export * from "./loss";
export * from "./loss_callback";
export { load, type LoadReportLike } from "./load";
export { confusion, type ConfusionLike, type ConfusionOptions } from "./confusion";
