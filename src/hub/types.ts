/** The shape of a weights registry entry (one member of a torchvision weights enum). */

/** torchvision's `ImageClassification` preset arguments (what `weights.transforms()` builds). */
export interface TransformsPreset {
  cropSize: number;
  resizeSize: number;
  interpolation: "bilinear" | "bicubic" | "nearest";
  /** Per-channel mean; ImageNet's `[0.485, 0.456, 0.406]` when absent. */
  mean?: readonly number[];
  /** Per-channel std; ImageNet's `[0.229, 0.224, 0.225]` when absent. */
  std?: readonly number[];
}

/**
 * One pretrained weights file, as torchvision's `<Arch>_Weights.<NAME>` describes it.
 * @example
 * ```ts
 * const e = graft.hub.weightsEntry("resnet50", "DEFAULT");
 * e.name; e.url; // "IMAGENET1K_V2", "https://download.pytorch.org/models/resnet50-11ad3fa6.pth"
 * ```
 */
export interface WeightsEntry {
  /** torchvision builder name, e.g. `resnet50`. */
  arch: string;
  /** Enum member, e.g. `IMAGENET1K_V2`. */
  name: string;
  /** Enum class, e.g. `ResNet50_Weights`. */
  enum: string;
  url: string;
  transforms: TransformsPreset;
  /** Class names (ImageNet's 1000 for every IMAGENET1K entry), undefined for feature-only weights. */
  categories: readonly string[] | undefined;
  numParams: number;
  /** Smallest input `[height, width]` the weights were validated on. */
  minSize: readonly [number, number];
  /** ImageNet-1K top-1/top-5 accuracy (%) as torchvision reports them. */
  metrics?: { acc1: number; acc5: number };
  recipe?: string;
  /** Key renames torchvision applies when loading this file (old DenseNet keys `norm.1` → `norm1`). */
  rename?: ReadonlyArray<readonly [RegExp, string]>;
}
