/**
 * Private: the applier's in-place path on the wasm backend. A weight whose conversion is one
 * transpose (or none) of a float32 tensor stored contiguously in the file is read in bands of
 * whole source rows into one small staging region of the wasm heap, reused for every band and
 * every weight (its pages stay mapped and cached), and transposed from there by the SIMD kernel
 * of `wasm_transpose.ts` straight into the new tensor's memory. Identity layouts are read
 * straight into the tensor. No JS array is allocated per weight, so no fresh pages are faulted
 * in for them; the new tensors come from the wasm heap, which reuses the memory of weights it
 * freed before. A second thread (`transpose_helper.ts`) reads and transposes the weights it can
 * take from the end of the list while this one works from the front.
 */
import * as tf from "@tensorflow/tfjs";
import { hasInPlaceReads, wasmHeap, type InPlaceReads, type WasmHeap } from "../../checkpoint/in_place_reads";
import type { Checkpoint } from "../../checkpoint/types";
import { sameShape } from "../_candidates";
import { canonical } from "../../_values";
import { type HelperJob, type HelperRun, TransposeHelper } from "./transpose_helper";
import { type HeapTranspose, reverse3InHeap, wasmTranspose } from "./wasm_transpose";
import type { PlannedLoad } from "../plan";

/**
 * File bytes read per band (whole source rows, at least 4 of them). Longer bands mean longer
 * contiguous runs in the transposed output; past this size `bench/apply.ts` saw no gain.
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

/**
 * Loads planned weights through the in-place path; create with {@link InPlaceLoader.create}.
 * This thread's reads are not overlapped with its transposes: reading the next band on the
 * thread pool while this one is transposed was slower in `bench/apply.ts`. Giving whole weights
 * to the helper's worker instead was faster: two threads each read and transpose at about the
 * speed one did alone, and copying a finished weight into the heap costs a fraction of that.
 * @example
 * ```ts
 * const ckpt = await open("resnet18.pth");
 * const model = graft.zoo.resnet18();
 * const plannedLoad = planLoad(model, ckpt).loaded[0];
 * const loader = InPlaceLoader.create(ckpt);
 * const job = loader?.plan(plannedLoad);
 * if (loader && job) { const [t] = await loader.run([job]); } // t: the weight, in tfjs layout
 * ```
 */
export class InPlaceLoader {
  private readonly shapes = new Map<string, number[]>();
  /** Weights of the last {@link run} that the transpose helper's worker read and transposed. */
  sharedJobs = 0;

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

  /**
   * Reads every job into its output `outs[i]`. With the transpose helper, the worker takes the
   * weights it can (from the back of the list) while this thread takes the rest from the front
   * and copies the worker's finished ones in between its own bands.
   */
  private async readAll(jobs: InPlaceJob[], outs: number[], stage: number, onDone?: (job: InPlaceJob) => void): Promise<void> {
    const { order, run } = await this.share(jobs);
    this.sharedJobs = 0;
    const redo: number[] = [];
    const copy = (k: number, bytes: Uint8Array): void => {
      const i = order[k];
      this.heap.bytes().set(bytes.subarray(0, jobs[i].bytes), outs[i]);
      onDone?.(jobs[i]);
    };
    const again = (k: number): void => void redo.push(k);
    try {
      let next = 0;
      for (let k; (k = run ? run.claim() : next < order.length ? next++ : -1) >= 0; ) {
        const drain = (): void => run?.drain(copy, again);
        await this.readJob(jobs[order[k]], outs[order[k]], stage, run, drain);
        drain();
        onDone?.(jobs[order[k]]);
      }
      run?.finish(copy, again);
      this.sharedJobs = run?.shared ?? 0;
      for (const k of redo) {
        await this.readJob(jobs[order[k]], outs[order[k]], stage);
        onDone?.(jobs[order[k]]);
      }
    } catch (err) {
      run?.abandon();
      throw err;
    }
  }

  /**
   * The order jobs are taken in, and the helper's run when it can help: this thread's own jobs
   * first (copies, which read straight into the tensor, and weights too big for the ring), then
   * those the worker may take.
   */
  private async share(jobs: InPlaceJob[]): Promise<{ order: number[]; run?: HelperRun }> {
    const all = jobs.map((_, i) => i);
    const helper = jobs.length > 1 && this.ckpt.locate ? TransposeHelper.get() : undefined;
    if (!helper) return { order: all };
    const shared = (j: InPlaceJob): boolean => !j.copy && TransposeHelper.fits(j.bytes, j.B * j.S * 4);
    const mine = all.filter((i) => !shared(jobs[i]));
    const theirs = all.filter((i) => shared(jobs[i]));
    const spots: HelperJob[] = [];
    for (const i of theirs) {
      const spot = await this.ckpt.locate!(jobs[i].name);
      if (!spot) return { order: all };
      const { A, B, S } = jobs[i];
      spots.push({ ...spot, A, B, S });
    }
    const order = [...mine, ...theirs];
    return { order, run: theirs.length > 0 ? helper.begin(order.length, mine.length, spots) : undefined };
  }

  /**
   * One job: a copy read straight into the tensor, or bands of rows read and transposed;
   * `between` runs after each band. Reads use the thread pool too only while the helper's worker
   * is idle (three busy threads on two cores loaded no faster).
   */
  private async readJob(job: InPlaceJob, out: number, stage: number, run?: HelperRun, between?: () => void): Promise<void> {
    const heap = this.heap;
    const split = (): boolean => !run || run.workerIdle();
    if (job.copy) {
      await this.ckpt.readBytesInto(job.name, 0, job.bytes, () => heap.bytes().subarray(out, out + job.bytes), split());
      return;
    }
    const rowBytes = job.B * job.S * 4;
    for (let a0 = 0; a0 < job.A; a0 += job.bandRows) {
      const rows = Math.min(job.bandRows, job.A - a0);
      const len = rows * rowBytes;
      // The view is asked for again after each yield of the read (a growing heap replaces it).
      await this.ckpt.readBytesInto(job.name, a0 * rowBytes, len, () => heap.bytes().subarray(stage, stage + len), split());
      reverse3InHeap(this.kernels, heap.int32(), stage, out, a0, rows, job.A, job.B, job.S);
      between?.();
    }
  }
}
