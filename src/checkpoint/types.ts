/** The shape every checkpoint reader returns (ARCHITECTURE.md §3): an index read eagerly, tensors read lazily. */
import type * as tf from "@tensorflow/tfjs";

export type CheckpointFormat =
  | "torch-zip"
  | "torch-legacy"
  | "safetensors"
  | "tfjs"
  | "keras-h5"
  | "keras-v3"
  | "npz"
  | "npy";

/** dtypes as the source file names them, normalised to these spellings. */
export type SourceDType =
  | "float64"
  | "float32"
  | "float16"
  | "bfloat16"
  | "float8_e5m2"
  | "float8_e4m3"
  | "int64"
  | "int32"
  | "int16"
  | "int8"
  | "uint64"
  | "uint32"
  | "uint16"
  | "uint8"
  | "bool";

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

export interface TensorInfo {
  name: string;
  shape: number[];
  dtype: SourceDType;
  byteLength: number;
}

export interface RawTensor {
  dtype: SourceDType;
  shape: number[];
  data: TypedArray;
}

export interface Checkpoint {
  format: CheckpointFormat;
  path: string;
  /** Key path the state dict was unwrapped from, e.g. "state_dict" or "model.ema". */
  container?: string;
  /** Tensors in file order. */
  entries: TensorInfo[];
  /** Non-tensor items (epoch, hyper-parameters, safetensors __metadata__, Keras layer names). */
  metadata: Record<string, unknown>;
  /** The tensor in its source layout, as tfjs float32/int32/bool. */
  read(name: string): Promise<tf.Tensor>;
  readRaw(name: string): Promise<RawTensor>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Key path to take the tensors from (torch checkpoints), e.g. "model_ema" or "model.ema";
   * default: a state dict found under a well-known key (`state_dict`, `model`, …).
   */
  container?: string;
  /** Reports bytes read so far while opening/reading large files. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}
