/**
 * Gradient kernels the tfjs wasm backend lacks (Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput).
 * Placeholder until the training-engine work lands: registers nothing yet.
 */
export function installWasmGradients(): void {}
