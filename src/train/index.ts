export * from "./engine";
export * from "./errors";
export * from "./fit";
export * from "./wasm_gradients";
