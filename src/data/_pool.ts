/**
 * Private: the worker threads of one loader pass. Jobs go to the worker with the fewest in
 * flight (at most {@link PER_WORKER} each; the rest wait here as small descriptors). A worker
 * is ref'd only while it has a job in flight (so awaiting a batch keeps the process alive, an
 * idle or abandoned pass does not), and terminated by `close()`, which rejects what was still
 * pending; a worker that dies rejects its jobs with the reason.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { Pixels } from "./_image_ops";
import type { SampleJob, WireError } from "./_sample_pipeline";

/** Jobs in flight per worker: one decoding while another is transformed. */
const PER_WORKER = 2;

type Reply = { id: number; ok: true; data: Uint8Array | Float32Array; height: number; width: number } | { id: number; ok: false; error: WireError };
interface Pending { job: SampleJob; resolve: (p: Pixels) => void; reject: (e: unknown) => void; worker?: Slot }
interface Slot { worker: Worker; busy: number }

/**
 * The worker's file next to this one: `.js` from dist; `.ts` when graft runs from its sources
 * under tsx, whose CommonJS hook the worker then registers itself (workers do not inherit
 * `--import`).
 */
function startWorker(): Worker {
  const js = join(__dirname, "_worker.js");
  const file = existsSync(js) ? js : join(__dirname, "_worker.ts");
  const code = `const { workerData } = require("node:worker_threads"); if (workerData.endsWith(".ts")) require("tsx/cjs"); require(workerData);`;
  return new Worker(code, { eval: true, workerData: file });
}

/** A closed pool's rejection: the pass ended before the job did. */
export class PoolClosed extends Error {}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = startWorker();
      const slot: Slot = { worker, busy: 0 };
      worker.on("message", (r: Reply) => this.settle(slot, r));
      worker.on("error", (err) => this.fail(slot, err));
      worker.on("exit", (code) => this.fail(slot, new Error(`a loader worker exited with code ${code}`)));
      worker.unref(); // idle workers never keep the process alive (after the listeners, which ref it again)
      this.slots.push(slot);
    }
  }

  /** Runs a job (its id is assigned here). */
  run(job: Omit<SampleJob, "id">): Promise<Pixels> {
    if (this.closed) return Promise.reject(new PoolClosed("the loader pass has ended"));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let best: Slot | undefined;
      for (const s of this.slots) if (s.busy < PER_WORKER && (!best || s.busy < best.busy)) best = s;
      if (!best) return;
      const p = this.queue.shift()!;
      p.worker = best;
      if (best.busy++ === 0) best.worker.ref(); // a job in flight keeps the process alive until its reply
      this.inFlight.set(p.job.id, p);
      best.worker.postMessage(p.job);
    }
  }

  private settle(slot: Slot, r: Reply): void {
    const p = this.inFlight.get(r.id);
    if (!p) return;
    this.inFlight.delete(r.id);
    if (--slot.busy === 0) slot.worker.unref();
    if (r.ok) p.resolve({ data: r.data, height: r.height, width: r.width, channels: 3 } as Pixels);
    else p.reject(r.error);
    this.pump();
  }

  private fail(slot: Slot, err: unknown): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    for (const [id, p] of this.inFlight) {
      if (p.worker !== slot) continue;
      this.inFlight.delete(id);
      p.reject(this.closed ? new PoolClosed("the loader pass has ended") : err);
    }
    if (this.slots.length === 0) for (const p of this.queue.splice(0)) p.reject(this.closed ? new PoolClosed("the loader pass has ended") : err);
    else this.pump();
  }

  /** Stops every worker now; pending jobs reject with PoolClosed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new PoolClosed("the loader pass has ended"));
    for (const p of this.inFlight.values()) p.reject(new PoolClosed("the loader pass has ended"));
    this.inFlight.clear();
    for (const s of this.slots.splice(0)) void s.worker.terminate();
  }
}
