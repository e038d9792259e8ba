/** graft.data: images in — decoding, torchvision's ImageFolder and transforms, a streaming loader on worker threads. */
export { readImage, imageDecoder, DEFAULT_MAX_PIXELS } from "./read_image";
export type { DecodedImage, ReadImageOptions } from "./read_image";
export { GraftImageError, GraftDatasetError } from "./errors";
export type { ImageErrorReason } from "./errors";
export type { Dataset, Sample } from "./dataset";
export { imageFolder, IMG_EXTENSIONS } from "./image_folder";
export type { ImageFolder, ImageFolderOptions, SkippedFile } from "./image_folder";
export { loader } from "./loader";
export type { Loader, LoaderOptions, Batch } from "./loader";
export { seededRandom } from "./random";
export type { Random } from "./random";
export type { Transform } from "./transform";
export * as transforms from "./transforms";
