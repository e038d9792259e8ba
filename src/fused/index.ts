/** Inference on tfjs with the zoo's convolution chains fused (padding, BatchNorm and ReLU folded into one kernel). */
export { fusedForward } from "./fused_forward";
export { planOf, type Plan, type Step, type ConvStep, type LayerStep } from "./plan";
