/**
 * The seam between the checkpoint readers and the load fast path (src/load/_fast): checkpoints
 * that can read a tensor's bytes straight into memory graft names (torch zip, safetensors), and
 * the wasm backend's heap they read into. Not part of graft's public API; the one module of
 * src/checkpoint that src/load's fast path imports.
 */
export { hasInPlaceReads, type InPlaceReads } from "./_torch_checkpoint";
export { wasmHeap, type WasmHeap } from "./_wasm_heap";
