/**
 * Private: a second thread for the in-place loader's transposes. The wasm backend's heap is not
 * shared memory, so no other thread can write a tensor there; this worker reads its share of
 * the weights from the file and transposes them (with the SIMD kernel of `wasm_transpose.ts`)
 * into a ring in a shared WebAssembly.Memory, and the main thread copies each finished weight
 * into its tensor (a plain copy, much cheaper per byte than read + transpose), between its own.
 *
 * Sharing out the work: the loader orders its jobs with those only it can do first (copies,
 * and weights too big for the ring); the main thread takes jobs from the front and the worker
 * from the back, both through one 64-bit claim word (run generation | front | back) changed by
 * compare-and-swap, so neither waits for the other and a late message of an old run claims
 * nothing. The worker publishes each finished job in a queue (job, ring offset, status); the
 * main thread copies and releases them in that order, which frees ring space for the worker.
 *
 * Failure never costs correctness: a job the worker could not read is marked failed and the main
 * thread does it again itself (which throws graft's typed error when the file is bad); a worker
 * that makes no progress for {@link STALL_MS} is dropped and its jobs are done on the main thread.
 * The worker starts on first use (it joins a run already under way when it is ready), is
 * unref'd, and keeps its ~24 MiB of shared memory for later loads. `GRAFT_LOAD_THREADS=1` turns
 * it off; so does a machine with one CPU.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sharedTransposeModule } from "./wasm_transpose";

import { CLAIM_AT, DONE, MAX_JOBS, PAGES, QUEUE_AT, QUEUE_CAP, RELEASED, RING_AT, RING_BYTES, STAGE_AT, STAGE_BYTES, STALL_MS } from "./ring_layout";

export { RING_BYTES, STAGE_BYTES };

/** One job for the worker: out[S][B][A] ← src[A][B][S], the source at `position` of file `fd`. */
export interface HelperJob {
  fd: number;
  position: number;
  A: number;
  B: number;
  S: number;
}

const pack = (gen: number, front: number, back: number): bigint => (BigInt(gen) << 48n) | (BigInt(front) << 24n) | BigInt(back);
/** The claim word's front and back: jobs [front, back) are not claimed yet. */
const unpack = (w: bigint): { front: number; back: number } => ({ front: Number((w >> 24n) & 0xffffffn), back: Number(w & 0xffffffn) });

/** The worker (transpose_worker.ts; its compiled .js in dist/, the .ts itself under tsx). */
function startWorker(memory: WebAssembly.Memory, module: WebAssembly.Module): Worker {
  const js = join(__dirname, "transpose_worker.js");
  const file = existsSync(js) ? js : join(__dirname, "transpose_worker.ts");
  const code = `const { workerData } = require("node:worker_threads"); if (workerData.file.endsWith(".ts")) require("tsx/cjs"); require(workerData.file);`;
  return new Worker(code, { eval: true, workerData: { file, memory, module } });
}

/** The per-process helper: its worker and shared memory. */
export class TransposeHelper {
  private static instance: TransposeHelper | null | undefined;
  private gen = 0;
  private busy = false;
  private broken = false;
  private readonly ctl: Int32Array;
  private readonly claimWord: BigInt64Array;
  private readonly queue: Int32Array;
  private readonly started: Promise<boolean>;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly worker: Worker,
  ) {
    this.ctl = new Int32Array(memory.buffer, 0, 1024);
    this.claimWord = new BigInt64Array(memory.buffer, CLAIM_AT, 1);
    this.queue = new Int32Array(memory.buffer, QUEUE_AT, QUEUE_CAP * 3);
    this.started = new Promise((resolve) => {
      worker.once("message", () => resolve(true));
      worker.once("error", () => resolve(false));
      worker.once("exit", () => resolve(false));
    });
    worker.on("error", () => this.drop());
    worker.on("exit", () => this.drop());
  }

  /** Resolves to true once the worker runs (runs begun before then are all done by the main thread until it joins). */
  ready(): Promise<boolean> {
    return this.started;
  }

  /** The process's helper, started on first call; undefined where threads can't help (see the file comment). */
  static get(): TransposeHelper | undefined {
    if (TransposeHelper.instance === undefined) TransposeHelper.instance = TransposeHelper.start();
    const h = TransposeHelper.instance;
    return h && !h.broken ? h : undefined;
  }

  private static start(): TransposeHelper | null {
    if (process.env.GRAFT_LOAD_THREADS === "1" || availableParallelism() < 2) return null;
    const module = sharedTransposeModule();
    if (!module) return null;
    try {
      const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
      const worker = startWorker(memory, module);
      worker.unref();
      return new TransposeHelper(memory, worker);
    } catch {
      return null;
    }
  }

  /** Whether a weight of `bytes` whose source rows are `rowBytes` long can go to the worker. */
  static fits(bytes: number, rowBytes: number): boolean {
    return bytes <= RING_BYTES && rowBytes * 4 <= STAGE_BYTES;
  }

  private drop(): void {
    this.broken = true;
    void this.worker.terminate();
  }

  /**
   * Starts a run over `count` jobs of which the worker may take those from index `floor` on
   * (`jobs[i - floor]` describes job i); undefined when the helper is busy or gone.
   */
  begin(count: number, floor: number, jobs: HelperJob[]): HelperRun | undefined {
    if (this.busy || this.broken || count > MAX_JOBS) return undefined;
    const gen = (this.gen = (this.gen + 1) & 0xffff);
    const table = new Float64Array(count * 5);
    jobs.forEach((j, k) => table.set([j.fd, j.position, j.A, j.B, j.S], (floor + k) * 5));
    // The worker may publish at most QUEUE_CAP jobs per run.
    const lowest = Math.max(floor, count - QUEUE_CAP);
    Atomics.store(this.ctl, DONE, 0);
    Atomics.store(this.ctl, RELEASED, 0);
    Atomics.store(this.claimWord, 0, pack(gen, 0, count));
    this.busy = true;
    this.worker.postMessage({ gen, floor: lowest, table });
    return new HelperRun(this, gen, count);
  }

  /** @internal for HelperRun */
  claimFront(gen: number): number {
    for (;;) {
      const w = Atomics.load(this.claimWord, 0);
      const { front, back } = unpack(w);
      if (front >= back) return -1;
      if (Atomics.compareExchange(this.claimWord, 0, w, pack(gen, front + 1, back)) === w) return front;
    }
  }

  /** @internal Closes claiming; returns how many jobs the worker claimed. */
  closeClaims(gen: number, count: number): number {
    for (;;) {
      const w = Atomics.load(this.claimWord, 0);
      const { front, back } = unpack(w);
      if (front >= back) return count - back;
      if (Atomics.compareExchange(this.claimWord, 0, w, pack(gen, back, back)) === w) return count - back;
    }
  }

  /** @internal The unclaimed jobs [front, back); the worker has claimed [back, count). */
  claims(): { front: number; back: number } {
    return unpack(Atomics.load(this.claimWord, 0));
  }

  /** @internal */
  published(): number {
    return Atomics.load(this.ctl, DONE);
  }

  /** @internal Job index, ring bytes and status of published job `seq`. */
  entry(seq: number): { index: number; bytes: Uint8Array | undefined } {
    const index = this.queue[seq * 3];
    const at = this.queue[seq * 3 + 1];
    const ok = this.queue[seq * 3 + 2] === 0;
    return { index, bytes: ok ? new Uint8Array(this.memory.buffer, RING_AT + at, RING_BYTES - at) : undefined };
  }

  /** @internal */
  release(seq: number): void {
    Atomics.store(this.ctl, RELEASED, seq + 1);
    Atomics.notify(this.ctl, RELEASED);
  }

  /** @internal Waits up to `ms` for more than `seen` published jobs. */
  waitPublished(seen: number, ms: number): void {
    Atomics.wait(this.ctl, DONE, seen, ms);
  }

  /** @internal */
  finishRun(stalled: boolean): void {
    this.busy = false;
    if (stalled) this.drop();
  }
}

/**
 * One load's use of the helper: claims for the main thread, and the worker's finished jobs.
 * How the in-place loader drives a run: `const run = TransposeHelper.get()?.begin(jobs.length,
 * firstHelperJob, helperJobs)`, then, while `run.claim()` gives a job index, do that job and
 * `run.drain(copy, redo)`; finally `run.finish(copy, redo)`, after which every job is done or was
 * handed back through `redo`.
 */
export class HelperRun {
  private copied = 0;
  private ended = false;
  /** Jobs the worker finished and `copy` took. */
  shared = 0;

  constructor(
    private readonly helper: TransposeHelper,
    private readonly gen: number,
    private readonly count: number,
  ) {}

  /** Whether the worker has nothing left to do in this run: every job is claimed and each it took is finished. */
  workerIdle(): boolean {
    if (this.ended) return true;
    const { front, back } = this.helper.claims();
    return front >= back && this.helper.published() >= this.count - back;
  }

  /** The next job for the main thread, or -1 when every job is claimed. */
  claim(): number {
    return this.ended ? -1 : this.helper.claimFront(this.gen);
  }

  /**
   * Hands each job the worker has finished since the last call to `copy(index, ringBytes)`
   * (the weight's bytes start at ringBytes[0]), or to `redo(index)` when the worker failed it.
   */
  drain(copy: (index: number, bytes: Uint8Array) => void, redo: (index: number) => void): void {
    const published = this.helper.published();
    while (this.copied < published) {
      const { index, bytes } = this.helper.entry(this.copied);
      try {
        if (bytes) {
          copy(index, bytes);
          this.shared++;
        } else redo(index);
      } finally {
        this.helper.release(this.copied++);
      }
    }
  }

  /**
   * Closes claiming and drains until the worker has finished every job it claimed. If it stops
   * making progress, the jobs it still holds go to `redo` and the helper is dropped. Call once.
   * When `copy` or `redo` throws, the rest of the worker's jobs are still waited for (and
   * discarded) before the error is rethrown, so the helper is free for the next run.
   */
  finish(copy: (index: number, bytes: Uint8Array) => void, redo: (index: number) => void): void {
    if (this.ended) return;
    this.ended = true;
    let failure: { err: unknown } | undefined;
    const guard =
      <T extends unknown[]>(f: (...a: T) => void) =>
      (...a: T): void => {
        if (failure) return;
        try {
          f(...a);
        } catch (err) {
          failure = { err };
        }
      };
    const [keep, again] = [guard(copy), guard(redo)];
    const claimed = this.helper.closeClaims(this.gen, this.count);
    let stalled = false;
    let last = performance.now();
    while (this.copied < claimed) {
      const before = this.copied;
      this.drain(keep, again);
      if (this.copied > before) last = performance.now();
      else if (performance.now() - last > STALL_MS) {
        stalled = true;
        break;
      } else this.helper.waitPublished(this.copied, 50);
    }
    if (stalled) {
      const finished = new Set<number>();
      for (let s = 0; s < this.copied; s++) finished.add(this.helper.entry(s).index);
      for (let i = this.count - claimed; i < this.count; i++) if (!finished.has(i)) again(i);
    }
    this.helper.finishRun(stalled);
    if (failure) throw failure.err;
  }

  /** Ends the run after an error: closes claiming and waits (bounded) for the worker's job in hand. */
  abandon(): void {
    this.finish(() => {}, () => {});
  }
}
