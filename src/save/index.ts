/** Writing models' weights out: PyTorch zip and safetensors, with torch names and layouts. */
export { save, type SaveOptions, type SaveResult } from "./save";
export { stateDict, type StateDictEntry, type ExportNames } from "./state_dict";
export { GraftSaveError } from "./errors";
export { TORCH_EXPORT_LAYOUTS, inverseRule, type InverseRule, type TorchTensor } from "./inverse_layouts";
