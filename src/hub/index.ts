/** Pretrained weights by name: torchvision's registry as data, and PyTorch's hub cache shared. */
export { weightsEntry, listWeights, weightsArchitectures, hashPrefix } from "./registry";
export { cachedDownload, hubCacheDir, torchHome, mirrored, isUrl, type DownloadOptions, type CachedFile } from "./cache";
export { GraftHubError, type HubErrorCode } from "./errors";
export type { WeightsEntry, TransformsPreset } from "./types";
export { IMAGENET_CATEGORIES } from "./_imagenet_categories";
