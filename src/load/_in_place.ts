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
import { wasmHeap, type WasmHeap } from "../checkpoint/_wasm_heap";
import type { Checkpoint } from "../checkpoint/types";
import { sameShape } from "./_candidates";
import { canonical } from "./_values";
import { type HeapTranspose, reverse3InHeap, wasmTranspose } from "./_wasm_transpose";
import type { PlannedLoad } from "./plan";

/**
 * File bytes read per band (whole source rows, at least 4 of them). Longer bands mean longer
 * contiguous runs in the transposed output: vgg16 loaded in ~500 ms with 4 MiB bands, ~410 ms
 * with 16 MiB, no better with 64 MiB. Measured again with the column-order kernel (resnet50
 * ~55–60 ms with 16 MiB, ~61–67 ms with 1–4 MiB bands): still the best.
 */
const BAND_BYTES = 16 << 20;

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

/** One read: bytes [start, start + len) of a job's tensor, to its output (a copy) or a staging slot. */
interface Band {
  job: number;
  a0: number;
  rows: number;
  start: number;
  len: number;
  last: boolean;
}

/**
 * Loads planned weights through the in-place path; create with {@link InPlaceLoader.create}.
 * Reads are synchronous and not overlapped with the transposes: reading the next band on the
 * thread pool into a second staging slot while this one is transposed was measured slower here
 * (resnet50 ~100–120 vs ~90 ms, vgg16 ~480–510 vs ~430–460 ms on 2 shared cores; with the
 * column-order kernel ~87–113 vs ~54–61 ms for resnet50): the copy from the page cache and the
 * transpose compete for the same memory bandwidth.
 * @example
 * ```ts
 * const loader = InPlaceLoader.create(ckpt);
 * const job = loader?.plan(plannedLoad);
 * if (loader && job) { const [t] = await loader.run([job]); } // t: the weight, in tfjs layout
 * ```
 */
export class InPlaceLoader {
  private readonly shapes = new Map<string, number[]>();

  private constructor(
    private readonly heap: WasmHeap,
    private readonly kernels: HeapTranspose,
    private readonly ckpt: InPlaceReads,
    entries: Checkpoint["entries"],
  ) {
    for (const e of entries) this.shapes.set(e.name, e.shape);
  }

  /** A loader when the backend is wasm (with SIMD) and the checkpoint reads in place; else undefined. */
  static create(ckpt: Pick<Checkpoint, "entries">): InPlaceLoader | undefined {
    if (!hasInPlaceReads(ckpt) || !Array.isArray(ckpt.entries)) return undefined;
    const heap = wasmHeap();
    const kernels = heap && wasmTranspose(heap.memory);
    return heap && kernels ? new InPlaceLoader(heap, kernels, ckpt, ckpt.entries) : undefined;
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

  /**
   * Reads and converts every job into a new tensor of its weight's shape (in job order). All or
   * nothing: on an error every tensor made is disposed and the error rethrown.
   * @param onDone called after each job with its bytes.
   */
  async run(jobs: InPlaceJob[], onDone?: (job: InPlaceJob) => void): Promise<tf.Tensor[]> {
    const made: tf.Tensor[] = [];
    const outs: number[] = [];
    try {
      // Everything is allocated before the first read: the heap does not grow under a read in flight.
      for (const j of jobs) {
        const { tensor, ptr } = this.heap.alloc(j.load.shape);
        made.push(tensor);
        outs.push(ptr);
      }
      const floats = jobs.reduce((m, j) => (j.copy ? m : Math.max(m, j.bandRows * j.B * j.S)), 0);
      const staging = floats > 0 ? this.heap.alloc([floats]) : undefined;
      try {
        await this.readAll(jobs, outs, staging?.ptr ?? 0, onDone);
      } finally {
        staging?.tensor.dispose();
      }
      return made;
    } catch (err) {
      tf.dispose(made);
      throw err;
    }
  }

  private async readAll(jobs: InPlaceJob[], outs: number[], stage: number, onDone?: (job: InPlaceJob) => void): Promise<void> {
    const heap = this.heap;
    for (const band of bandsOf(jobs)) {
      const job = jobs[band.job];
      const ptr = job.copy ? outs[band.job] : stage;
      // The view is asked for again after each yield of the read (a growing heap replaces it).
      await this.ckpt.readBytesInto(job.name, band.start, band.len, () => heap.bytes().subarray(ptr, ptr + band.len));
      if (!job.copy) reverse3InHeap(this.kernels, heap.int32(), stage, outs[band.job], band.a0, band.rows, job.A, job.B, job.S);
      if (band.last) onDone?.(job);
    }
  }
}

/** The reads of every job, in order: one per copy, one per band of rows for a transpose. */
function bandsOf(jobs: InPlaceJob[]): Band[] {
  const bands: Band[] = [];
  jobs.forEach((j, k) => {
    if (j.copy) return void bands.push({ job: k, a0: 0, rows: j.A, start: 0, len: j.bytes, last: true });
    const rowBytes = j.B * j.S * 4;
    for (let a0 = 0; a0 < j.A; a0 += j.bandRows) {
      const rows = Math.min(j.bandRows, j.A - a0);
      bands.push({ job: k, a0, rows, start: a0 * rowBytes, len: rows * rowBytes, last: a0 + rows >= j.A });
    }
  });
  return bands;
}
