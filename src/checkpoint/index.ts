/** Reading checkpoints: open(path) sniffs the format and returns a lazy Checkpoint; one reader per format. */
export type { Checkpoint, CheckpointFormat, OpenOptions, RawTensor, SourceDType, TensorInfo, TypedArray } from "./types";
export { GraftFormatError, GraftUnsafePickleError } from "./errors";
export { open, sniffFormat } from "./open";
export { openTorchZip } from "./torch_zip";
export { openTorchLegacy } from "./torch_legacy";
export { openNpy } from "./npy";
export { openNpz } from "./npz";
export { openSafetensors } from "./safetensors";
export { openTfjs } from "./tfjs";
export { openKerasH5 } from "./keras_h5";
export { openKerasV3 } from "./keras_v3";
export { inspectCheckpoint, renderInspect, type CheckpointSummary } from "./inspect";
