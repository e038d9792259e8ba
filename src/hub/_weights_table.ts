/**
 * The weights registry as data, mirroring torchvision 0.14's weights enums (`ResNet18_Weights`, …):
 * per architecture, each entry's name, URL (its file name carries the sha256 prefix torch.hub checks),
 * the transforms preset of `weights.transforms()`, categories, parameter count and ImageNet metrics.
 * `DEFAULT` is an alias, resolved by {@link weightsEntry}.
 */
import { IMAGENET_CATEGORIES } from "./_imagenet_categories";
import type { WeightsEntry } from "./types";

const IMAGENET = IMAGENET_CATEGORIES;

/** torchvision's enums, keyed by builder name (`torchvision.models.<name>`). */
export const WEIGHTS: Readonly<Record<string, { enum: string; default: string; entries: readonly WeightsEntry[] }>> = {
  resnet18: {
    enum: "ResNet18_Weights",
    default: "IMAGENET1K_V1",
    entries: [
      {
        arch: "resnet18", name: "IMAGENET1K_V1", enum: "ResNet18_Weights",
        url: "https://download.pytorch.org/models/resnet18-f37072fd.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 11689512, minSize: [1, 1],
        metrics: { acc1: 69.758, acc5: 89.078 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#resnet",
      },
    ],
  },
  resnet34: {
    enum: "ResNet34_Weights",
    default: "IMAGENET1K_V1",
    entries: [
      {
        arch: "resnet34", name: "IMAGENET1K_V1", enum: "ResNet34_Weights",
        url: "https://download.pytorch.org/models/resnet34-b627a593.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 21797672, minSize: [1, 1],
        metrics: { acc1: 73.314, acc5: 91.42 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#resnet",
      },
    ],
  },
  resnet50: {
    enum: "ResNet50_Weights",
    default: "IMAGENET1K_V2",
    entries: [
      {
        arch: "resnet50", name: "IMAGENET1K_V1", enum: "ResNet50_Weights",
        url: "https://download.pytorch.org/models/resnet50-0676ba61.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 25557032, minSize: [1, 1],
        metrics: { acc1: 76.13, acc5: 92.862 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#resnet",
      },
      {
        arch: "resnet50", name: "IMAGENET1K_V2", enum: "ResNet50_Weights",
        url: "https://download.pytorch.org/models/resnet50-11ad3fa6.pth",
        transforms: { cropSize: 224, resizeSize: 232, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 25557032, minSize: [1, 1],
        metrics: { acc1: 80.858, acc5: 95.434 },
        recipe: "https://github.com/pytorch/vision/issues/3995#issuecomment-1013906621",
      },
    ],
  },
  mobilenet_v2: {
    enum: "MobileNet_V2_Weights",
    default: "IMAGENET1K_V2",
    entries: [
      {
        arch: "mobilenet_v2", name: "IMAGENET1K_V1", enum: "MobileNet_V2_Weights",
        url: "https://download.pytorch.org/models/mobilenet_v2-b0353104.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 3504872, minSize: [1, 1],
        metrics: { acc1: 71.878, acc5: 90.286 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#mobilenetv2",
      },
      {
        arch: "mobilenet_v2", name: "IMAGENET1K_V2", enum: "MobileNet_V2_Weights",
        url: "https://download.pytorch.org/models/mobilenet_v2-7ebf99e0.pth",
        transforms: { cropSize: 224, resizeSize: 232, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 3504872, minSize: [1, 1],
        metrics: { acc1: 72.154, acc5: 90.822 },
        recipe: "https://github.com/pytorch/vision/issues/3995#new-recipe-with-reg-tuning",
      },
    ],
  },
  vgg11: {
    enum: "VGG11_Weights",
    default: "IMAGENET1K_V1",
    entries: [
      {
        arch: "vgg11", name: "IMAGENET1K_V1", enum: "VGG11_Weights",
        url: "https://download.pytorch.org/models/vgg11-8a719046.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 132863336, minSize: [32, 32],
        metrics: { acc1: 69.02, acc5: 88.628 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg",
      },
    ],
  },
  vgg16: {
    enum: "VGG16_Weights",
    default: "IMAGENET1K_V1",
    entries: [
      {
        arch: "vgg16", name: "IMAGENET1K_V1", enum: "VGG16_Weights",
        url: "https://download.pytorch.org/models/vgg16-397923af.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 138357544, minSize: [32, 32],
        metrics: { acc1: 71.592, acc5: 90.382 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg",
      },
      {
        arch: "vgg16", name: "IMAGENET1K_FEATURES", enum: "VGG16_Weights",
        url: "https://download.pytorch.org/models/vgg16_features-amdegroot-88682ab5.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear", mean: [0.48235, 0.45882, 0.40784], std: [0.00392156862745098, 0.00392156862745098, 0.00392156862745098] },
        categories: undefined, numParams: 138357544, minSize: [32, 32],
        recipe: "https://github.com/amdegroot/ssd.pytorch#training-ssd",
      },
    ],
  },
  efficientnet_b0: {
    enum: "EfficientNet_B0_Weights",
    default: "IMAGENET1K_V1",
    entries: [
      {
        arch: "efficientnet_b0", name: "IMAGENET1K_V1", enum: "EfficientNet_B0_Weights",
        url: "https://download.pytorch.org/models/efficientnet_b0_rwightman-3dd342df.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bicubic" },
        categories: IMAGENET, numParams: 5288548, minSize: [1, 1],
        metrics: { acc1: 77.692, acc5: 93.532 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#efficientnet-v1",
      },
    ],
  },
  mobilenet_v3_large: {
    enum: "MobileNet_V3_Large_Weights",
    default: "IMAGENET1K_V2",
    entries: [
      {
        arch: "mobilenet_v3_large", name: "IMAGENET1K_V1", enum: "MobileNet_V3_Large_Weights",
        url: "https://download.pytorch.org/models/mobilenet_v3_large-8738ca79.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 5483032, minSize: [1, 1],
        metrics: { acc1: 74.042, acc5: 91.34 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#mobilenetv3-large--small",
      },
      {
        arch: "mobilenet_v3_large", name: "IMAGENET1K_V2", enum: "MobileNet_V3_Large_Weights",
        url: "https://download.pytorch.org/models/mobilenet_v3_large-5c1a4163.pth",
        transforms: { cropSize: 224, resizeSize: 232, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 5483032, minSize: [1, 1],
        metrics: { acc1: 75.274, acc5: 92.566 },
        recipe: "https://github.com/pytorch/vision/issues/3995#new-recipe-with-reg-tuning",
      },
    ],
  },
  mobilenet_v3_small: {
    enum: "MobileNet_V3_Small_Weights",
    default: "IMAGENET1K_V1",
    entries: [
      {
        arch: "mobilenet_v3_small", name: "IMAGENET1K_V1", enum: "MobileNet_V3_Small_Weights",
        url: "https://download.pytorch.org/models/mobilenet_v3_small-047dcff4.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 2542856, minSize: [1, 1],
        metrics: { acc1: 67.668, acc5: 87.402 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#mobilenetv3-large--small",
      },
    ],
  },
  convnext_tiny: {
    enum: "ConvNeXt_Tiny_Weights",
    default: "IMAGENET1K_V1",
    entries: [
      {
        arch: "convnext_tiny", name: "IMAGENET1K_V1", enum: "ConvNeXt_Tiny_Weights",
        url: "https://download.pytorch.org/models/convnext_tiny-983f1562.pth",
        transforms: { cropSize: 224, resizeSize: 236, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 28589128, minSize: [32, 32],
        metrics: { acc1: 82.52, acc5: 96.146 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#convnext",
      },
    ],
  },
  densenet121: {
    enum: "DenseNet121_Weights",
    default: "IMAGENET1K_V1",
    entries: [
      {
        arch: "densenet121", name: "IMAGENET1K_V1", enum: "DenseNet121_Weights",
        url: "https://download.pytorch.org/models/densenet121-a639ec97.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 7978856, minSize: [29, 29],
        metrics: { acc1: 74.434, acc5: 91.972 },
        recipe: "https://github.com/pytorch/vision/pull/116",
        rename: [[/^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$/, "$1$2"]],
      },
    ],
  },
  vit_b_16: {
    enum: "ViT_B_16_Weights",
    default: "IMAGENET1K_V1",
    entries: [
      {
        arch: "vit_b_16", name: "IMAGENET1K_V1", enum: "ViT_B_16_Weights",
        url: "https://download.pytorch.org/models/vit_b_16-c867db91.pth",
        transforms: { cropSize: 224, resizeSize: 256, interpolation: "bilinear" },
        categories: IMAGENET, numParams: 86567656, minSize: [224, 224],
        metrics: { acc1: 81.072, acc5: 95.318 },
        recipe: "https://github.com/pytorch/vision/tree/main/references/classification#vit_b_16",
      },
      {
        arch: "vit_b_16", name: "IMAGENET1K_SWAG_E2E_V1", enum: "ViT_B_16_Weights",
        url: "https://download.pytorch.org/models/vit_b_16_swag-9ac1b537.pth",
        transforms: { cropSize: 384, resizeSize: 384, interpolation: "bicubic" },
        categories: IMAGENET, numParams: 86859496, minSize: [384, 384],
        metrics: { acc1: 85.304, acc5: 97.65 },
        recipe: "https://github.com/facebookresearch/SWAG",
      },
      {
        arch: "vit_b_16", name: "IMAGENET1K_SWAG_LINEAR_V1", enum: "ViT_B_16_Weights",
        url: "https://download.pytorch.org/models/vit_b_16_lc_swag-4e70ced5.pth",
        transforms: { cropSize: 224, resizeSize: 224, interpolation: "bicubic" },
        categories: IMAGENET, numParams: 86567656, minSize: [224, 224],
        metrics: { acc1: 81.886, acc5: 96.18 },
        recipe: "https://github.com/pytorch/vision/pull/5793",
      },
    ],
  },
};
