/** `graft.data.transforms`: torchvision's image transforms, composable, runnable on the loader's worker threads. */
export { compose, custom } from "./transform";
export type { Transform, TransformInput, CustomFn } from "./transform";
export { resize, centerCrop, randomResizedCrop, randomHorizontalFlip } from "./geometry_transforms";
export { colorJitter } from "./color_jitter";
export type { ColorJitterOptions } from "./color_jitter";
export { toTensor, normalize } from "./tensor_transforms";
export { imageClassification, IMAGENET_MEAN, IMAGENET_STD } from "./presets";
export type { ImageClassificationOptions } from "./presets";
export type { Interpolation } from "./_resample";
