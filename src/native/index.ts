/** Inference on ONNX Runtime (the optional onnxruntime-node): tfjs models exported to ONNX, run natively. */
export { toOnnx, type OnnxExport } from "./onnx_export";
export { nativeRuntime, type NativeRuntimeInfo } from "./runtime";
export { nativeForward, nativeReason } from "./native_forward";
