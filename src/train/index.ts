/** Training: graft's fit (tensors or loaders, frozen-feature caching), losses, evaluate and predict. */
import * as losses from "./losses";
import { installCompileCheck } from "./_loss_check";
import { installUntapedFit } from "./_untaped_prefix";
import { installNativeConvKernels } from "../native/native_conv_kernels";

export { GraftCacheError } from "./errors";
export { fit } from "./fit";
export type { CacheFrozenOptions, FitOptions } from "./fit";
export { losses };
export { evaluate, type EvaluateResult, type EvaluateTensors } from "./evaluate";
export { predict, type PredictOptions, type Prediction } from "./predict";
export { infer, type InferOptions } from "./infer";
export type { CrossEntropyOptions, LossFn } from "./losses";
export type { LoaderLike } from "./_loader_cache";

installCompileCheck();
installUntapedFit();
installNativeConvKernels();
