export * from "./types";
export * from "./errors";
export { open, sniffFormat } from "./open";
export { openTorchZip } from "./torch_zip";
export { openTorchLegacy } from "./torch_legacy";
export { openNpy } from "./npy";
export { openNpz } from "./npz";
export { dtypeSize, toTfjs } from "./_dtype";
export { inspectCheckpoint, renderInspect, formatBytes, type CheckpointSummary } from "./inspect";
