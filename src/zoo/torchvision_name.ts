/**
 * Which torchvision architecture a zoo model mirrors, read from the model's name, so a
 * loader or a report can say "resnet18 from torchvision" without inspecting layers.
 */
import type * as tf from "@tensorflow/tfjs";

/**
 * torchvision builder names of the zoo's architectures (`torchvision.models.<name>`).
 * @example
 * ```ts
 * graft.zoo.TORCHVISION_NAMES.includes("vgg16"); // true
 * ```
 */
export const TORCHVISION_NAMES = [
  "resnet18",
  "resnet34",
  "resnet50",
  "mobilenet_v2",
  "vgg11",
  "vgg16",
  // convnext / densenet / vit (src/zoo/convnext.ts, densenet.ts, vit.ts)
  "convnext_tiny",
  "densenet121",
  "vit_b_16",
] as const;

/** One of {@link TORCHVISION_NAMES}. */
export type TorchvisionName = (typeof TORCHVISION_NAMES)[number];

/**
 * The torchvision architecture a zoo model mirrors.
 *
 * @param model a tfjs LayersModel.
 * @returns `"resnet18"`, `"mobilenet_v2"`, … for models built by `graft.zoo`, else `undefined`
 *   (the answer comes from the model's name, which the zoo sets).
 * @example
 * ```ts
 * graft.zoo.torchvisionName(graft.zoo.mobilenetV2()); // "mobilenet_v2"
 * graft.zoo.torchvisionName(tf.sequential());          // undefined
 * ```
 */
export function torchvisionName(model: tf.LayersModel): TorchvisionName | undefined {
  const name = model?.name;
  return (TORCHVISION_NAMES as readonly string[]).includes(name) ? (name as TorchvisionName) : undefined;
}
