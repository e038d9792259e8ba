/**
 * Private helpers for composing wasm-backend kernels from other wasm kernels: call a kernel
 * by name on the same backend, and free intermediate results as soon as they are used.
 */
import * as tf from "@tensorflow/tfjs";

/** The slice of the wasm backend these helpers use (its class is not exported by name). */
export type Backend = tf.KernelBackend & { disposeData(dataId: object, force?: boolean): boolean };
export type Info = tf.TensorInfo;
export type Attrs = Record<string, unknown>;

/** Runs the wasm kernel `name` directly (no tape, no engine bookkeeping) and returns its output. */
export function op(backend: Backend, name: string, inputs: Record<string, Info>, attrs: Attrs = {}): Info {
  const kernel = tf.getKernel(name, "wasm");
  if (!kernel) throw new Error(`Cannot compose a wasm gradient kernel: the wasm backend has no ${name} kernel`);
  const out = kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
  return (Array.isArray(out) ? out[0] : out) as Info;
}

/** Releases intermediates made by {@link op} (reference-counted: a Reshape shares its input's data); never pass the kernel's own inputs. */
export function free(backend: Backend, ...infos: Array<Info | undefined>): void {
  for (const info of infos) if (info) backend.disposeData(info.dataId);
}

/** Reshape shares the data of its input in the wasm backend; this one owns a new reference. */
export function reshape(backend: Backend, x: Info, shape: number[]): Info {
  return op(backend, "Reshape", { x }, { shape });
}

export function transpose(backend: Backend, x: Info, perm: number[]): Info {
  return op(backend, "Transpose", { x }, { perm });
}

/**
 * tfjs's conv geometry for an NHWC convolution, or an error naming the kernel for NCHW (graft's
 * wasm gradient kernels are channels-last only).
 * @example
 * ```ts
 * const attrs = { strides: 1, pad: "same", dataFormat: "NHWC", dilations: 1 } as const;
 * const info = nhwcConv2DInfo("Conv2DBackpropFilter", [8, 32, 32, 3], [3, 3, 3, 16], attrs);
 * ```
 */
export function nhwcConv2DInfo(
  kernel: string,
  inShape: number[],
  filterShape: number[],
  attrs: { strides: number | [number, number]; pad: tf.Conv2DBackpropFilterAttrs["pad"]; dataFormat: "NHWC" | "NCHW"; dimRoundingMode?: "floor" | "round" | "ceil" },
): tf.backend_util.Conv2DInfo {
  const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (format !== "channelsLast") {
    throw new Error(`wasm ${kernel} supports dataFormat NHWC only; got ${attrs.dataFormat}. Use channelsLast layers.`);
  }
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number], filterShape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, format);
}
