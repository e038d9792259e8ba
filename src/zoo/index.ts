/**
 * The zoo: tfjs architectures that mirror torchvision 0.14 exactly — layer names are
 * torchvision module paths, padding and BatchNorm constants reproduce torch's numerics.
 */
export type { ZooOptions } from "./options";
export { resnet18, resnet34, resnet50 } from "./resnet";
export { mobilenetV2 } from "./mobilenet_v2";
export { vgg11, vgg16 } from "./vgg";
export { efficientnetB0 } from "./efficientnet";
export { mobilenetV3Large, mobilenetV3Small } from "./mobilenet_v3";
export { torchvisionName, TORCHVISION_NAMES } from "./torchvision_name";
export type { TorchvisionName } from "./torchvision_name";
export { WEIGHTS_TRANSFORMS, type ZooTransformsOptions } from "./transforms";
