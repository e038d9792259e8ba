/**
 * Private: the applier's in-place path on the wasm backend. A weight whose conversion is one
 * transpose (or none) of a float32 tensor stored contiguously in the file is read in bands of
 * whole source rows into one small staging region of the wasm heap, reused for every band and
 * every weight (its pages stay mapped and cached), and transposed from there by the SIMD kernel
 * of `_wasm_transpose.ts` straight into the new tensor's memory. Identity layouts are read
 * straight into the tensor. No JS array is allocated per weight, so no fresh pages are faulted
 * in for them; the new tensors come from the wasm heap, which reuses the memory of weights it
 * freed before.
 */
import * as tf from "@tensorflow/tfjs";
import { hasInPlaceReads, type InPlaceReads } from "../checkpoint/_torch_checkpoint";
import type { Checkpoint } from "../checkpoint/types";
import { sameShape } from "./_candidates";
import { canonical } from "./_values";
import { type HeapTranspose, reverse3InHeap, wasmTranspose } from "./_wasm_transpose";
import type { PlannedLoad } from "./plan";

interface WasmBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array; HEAP32: Int32Array; asm?: { memory?: unknown } };
}

/** File bytes read per band (whole source rows, at least 4 of them). */
const BAND_BYTES = 4 << 20;

/** One weight the in-place path loads: out[S][B][A] ← src[A][B][S] (B = S = 1: a plain copy). */
export interface InPlaceJob {
  load: PlannedLoad;
  name: string;
  bytes: number;
  copy: boolean;
  A: number;
  B: number;
  S: number;
  bandRows: number;
}

/**
 * Loads planned weights through the in-place path; create with {@link InPlaceLoader.create}.
 * @example
 * ```ts
 * const loader = InPlaceLoader.create(ckpt);
 * const job = loader?.plan(plannedLoad);
 * if (loader && job) { loader.prepare([job]); const t = await loader.load(job); loader.dispose(); }
 * ```
 */
export class InPlaceLoader {
  private stage: tf.Tensor | undefined;
  private stagePtr = 0;
  private readonly shapes = new Map<string, number[]>();

  private constructor(
    private readonly backend: WasmBackend,
    private readonly kernels: HeapTranspose,
    private readonly ckpt: InPlaceReads,
    entries: Checkpoint["entries"],
  ) {
    for (const e of entries) this.shapes.set(e.name, e.shape);
  }

  /** A loader when the backend is wasm (with SIMD) and the checkpoint reads in place; else undefined. */
  static create(ckpt: Pick<Checkpoint, "entries">): InPlaceLoader | undefined {
    if (tf.getBackend() !== "wasm" || !hasInPlaceReads(ckpt) || !Array.isArray(ckpt.entries)) return undefined;
    const backend = tf.backend() as unknown as Partial<WasmBackend>;
    const memory = backend.wasm?.asm?.memory;
    if (typeof backend.makeOutput !== "function" || !backend.dataIdMap || !(memory instanceof WebAssembly.Memory)) return undefined;
    const kernels = wasmTranspose(memory);
    return kernels ? new InPlaceLoader(backend as WasmBackend, kernels, ckpt, ckpt.entries) : undefined;
  }

  /** The job for `l` when it can be loaded in place; else undefined (the general path takes it). */
  plan(l: PlannedLoad): InPlaceJob | undefined {
    if (l.sources.length !== 1 || l.weight.variable.dtype !== "float32" || !l.rule.permutation) return undefined;
    const name = l.sources[0];
    const source = this.shapes.get(name);
    const stored = this.ckpt.inPlace(name);
    const numel = l.shape.reduce((a, b) => a * b, 1);
    if (!source || !stored || stored.dtype !== "float32" || numel === 0 || stored.byteLength !== numel * 4) return undefined;
    const converted = l.rule.shape([source], l.ctx);
    if (!converted || !sameShape(converted, l.shape)) return undefined; // the general path reports it
    const { shape, perm } = l.rule.permutation([source], l.ctx);
    if (shape.reduce((a, b) => a * b, 1) !== numel) return undefined;
    const [dims, p] = canonical(shape, perm);
    let A = numel, B = 1, S = 1;
    const copy = p.length <= 1;
    if (p.length === 2 && p[0] === 1 && p[1] === 0) [A, S] = dims;
    else if (p.length === 3 && p[0] === 2 && p[1] === 1 && p[2] === 0) [A, B, S] = dims;
    else if (!copy) return undefined;
    const rowBytes = B * S * 4;
    const bandRows = copy ? A : Math.min(A, Math.max(4, Math.floor(BAND_BYTES / rowBytes / 4) * 4));
    return { load: l, name, bytes: numel * 4, copy, A, B, S, bandRows };
  }

  /** Allocates the staging region the jobs' bands need (one, reused). */
  prepare(jobs: InPlaceJob[]): void {
    const floats = jobs.reduce((m, j) => (j.copy ? m : Math.max(m, j.bandRows * j.B * j.S)), 0);
    if (floats === 0) return;
    const info = this.backend.makeOutput([floats], "float32");
    this.stage = tf.engine().makeTensorFromTensorInfo(info);
    this.stagePtr = this.offset(info);
  }

  /** Reads and converts one job into a new tensor of the weight's shape. */
  async load(job: InPlaceJob): Promise<tf.Tensor> {
    const info = this.backend.makeOutput(job.load.shape, "float32");
    const tensor = tf.engine().makeTensorFromTensorInfo(info);
    try {
      const out = this.offset(info);
      const wasm = this.backend.wasm;
      if (job.copy) {
        await this.ckpt.readBytesInto(job.name, 0, job.bytes, () => wasm.HEAPU8.subarray(out, out + job.bytes));
        return tensor;
      }
      const rowBytes = job.B * job.S * 4;
      for (let a0 = 0; a0 < job.A; a0 += job.bandRows) {
        const rows = Math.min(job.bandRows, job.A - a0);
        const len = rows * rowBytes;
        await this.ckpt.readBytesInto(job.name, a0 * rowBytes, len, () => wasm.HEAPU8.subarray(this.stagePtr, this.stagePtr + len));
        reverse3InHeap(this.kernels, wasm.HEAP32, this.stagePtr, out, a0, rows, job.A, job.B, job.S);
      }
      return tensor;
    } catch (err) {
      tensor.dispose();
      throw err;
    }
  }

  /** Frees the staging region. */
  dispose(): void {
    this.stage?.dispose();
    this.stage = undefined;
  }

  private offset(info: tf.TensorInfo): number {
    const data = this.backend.dataIdMap.get(info.dataId);
    if (!data) throw new Error("wasm backend lost a tensor it just made");
    return data.memoryOffset;
  }
}
