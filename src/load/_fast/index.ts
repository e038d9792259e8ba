/**
 * The load fast path's one entry point (private to src/load). `apply.ts` converts every weight by
 * its layout rule's tfjs op or plain-values loop (the reference); on the wasm backend it hands
 * float32 weights of in-place-readable checkpoints (torch zip, safetensors) to the
 * {@link InPlaceLoader}, which reads them straight into the new tensors' memory and transposes
 * them there in WebAssembly SIMD, on a helper thread too. Every test of loading runs both paths.
 */
export { InPlaceLoader, type InPlaceJob } from "./in_place_loader";
export { filledTensor } from "./heap_tensor";
