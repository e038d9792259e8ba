/** Training: the engine (tfjs backend) graft runs on, graft's fit (tensors or loaders, frozen-feature caching), losses, evaluate and predict. */
import * as losses from "./losses";
import { installCompileCheck } from "./_loss_check";

export { engine, ready, tf, type EngineInfo } from "./engine";
export * from "./errors";
export * from "./fit";
export { losses };
export type { CrossEntropyOptions, LossFn } from "./losses";
export type { LoaderLike } from "./_loader_cache";

installCompileCheck();
