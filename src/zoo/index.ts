/**
 * The zoo: tfjs architectures that mirror torchvision 0.14 exactly — layer names are
 * torchvision module paths, padding and BatchNorm constants reproduce torch's numerics.
 */
export type { ZooOptions, PretrainedOptions } from "./options";
export type { PretrainedModel } from "./_weights";
export { pretrained } from "./pretrained";
export { resnet18, resnet34, resnet50 } from "./resnet";
export { mobilenetV2 } from "./mobilenet_v2";
export { vgg11, vgg16 } from "./vgg";
export { efficientnetB0 } from "./efficientnet";
export { mobilenetV3Large, mobilenetV3Small } from "./mobilenet_v3";
export { convnextTiny } from "./convnext";
export { densenet121 } from "./densenet";
export { vitB16 } from "./vit";
export { list, get } from "./list";
export type { ZooBuilder } from "./list";
export { LayerScale } from "./layer_scale";
export { ClassToken, TakeToken } from "./class_token";
export { PositionEmbedding } from "./position_embedding";
export { MultiHeadSelfAttention } from "./self_attention";
export { torchvisionName, TORCHVISION_NAMES } from "./torchvision_name";
export type { TorchvisionName } from "./torchvision_name";
export type { ZooTransformsOptions } from "./transforms";
