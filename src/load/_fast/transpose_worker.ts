/**
 * The transpose helper's worker thread (started by transpose_helper.ts): claims jobs from the
 * back of the run's job list through the shared claim word, reads each weight's source rows from
 * the file into the staging area, transposes them into the ring with the SIMD kernel, and
 * publishes (job, ring offset, status) for the main thread to copy into its tensor.
 */
import { readSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { CLAIM_AT, DONE, QUEUE_AT, QUEUE_CAP, RELEASED, RING_AT, RING_BYTES, STAGE_AT, STAGE_BYTES } from "./ring_layout";
import { reverse3InHeap, type HeapTranspose } from "./wasm_transpose";

interface WorkerData {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
}

const { memory, module } = workerData as WorkerData;
const port = parentPort!;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as HeapTranspose;
const ctl = new Int32Array(memory.buffer, 0, 1024);
const claim = new BigInt64Array(memory.buffer, CLAIM_AT, 1);
const queue = new Int32Array(memory.buffer, QUEUE_AT, QUEUE_CAP * 3);
const heap32 = new Int32Array(memory.buffer);
const bytes = new Uint8Array(memory.buffer);

// A self-check before any real work: a broken kernel must fail here, not load wrong weights.
{
  const [A, B, S] = [9, 2, 7];
  for (let i = 0; i < A * B * S; i++) heap32[STAGE_AT / 4 + i] = i;
  reverse3InHeap(k, heap32, STAGE_AT, RING_AT, 0, A, A, B, S);
  for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) {
    if (heap32[RING_AT / 4 + (s * B + b) * A + a] !== (a * B + b) * S + s) throw new Error("transpose self-check failed");
  }
}
port.postMessage("ready");

/** Claims the last unclaimed job of run `gen` at or above `floor`, or -1 when none is left. */
function take(gen: number, floor: number): number {
  for (;;) {
    const w = Atomics.load(claim, 0);
    const g = Number(w >> 48n), front = Number((w >> 24n) & 0xffffffn), back = Number(w & 0xffffffn);
    if (g !== gen || back <= front || back - 1 < floor) return -1;
    const next = (BigInt(g) << 48n) | (BigInt(front) << 24n) | BigInt(back - 1);
    if (Atomics.compareExchange(claim, 0, w, next) === w) return back - 1;
  }
}

/** Ring space: this worker's published, not yet released jobs, oldest first. */
const held: Array<{ seq: number; at: number; len: number }> = [];

/** A ring offset for `len` bytes, waiting for the main thread to release space when the ring is full. */
function place(len: number): number {
  for (;;) {
    const released = Atomics.load(ctl, RELEASED);
    while (held.length && held[0].seq < released) held.shift();
    if (!held.length) return 0;
    const start = held[0].at, last = held[held.length - 1], end = last.at + last.len;
    if (end > start) {
      if (end + len <= RING_BYTES) return end;
      if (len <= start) return 0;
    } else if (end + len <= start) return end;
    Atomics.wait(ctl, RELEASED, released, 1000);
  }
}

function readAll(fd: number, at: number, len: number, position: number): void {
  let done = 0;
  while (done < len) {
    const n = readSync(fd, bytes, at + done, len - done, position + done);
    if (n === 0) throw new Error("short read");
    done += n;
  }
}

port.on("message", ({ gen, floor, table }: { gen: number; floor: number; table: Float64Array }) => {
  let published = 0;
  held.length = 0;
  for (let i; (i = take(gen, floor)) >= 0; ) {
    const [fd, position, A, B, S] = table.subarray(i * 5, i * 5 + 5);
    const rowBytes = B * S * 4, len = A * rowBytes;
    const at = place(len);
    let status = 0;
    try {
      const band = Math.min(A, Math.max(4, Math.floor(STAGE_BYTES / rowBytes / 4) * 4));
      for (let a0 = 0; a0 < A; a0 += band) {
        const rows = Math.min(band, A - a0);
        readAll(fd, STAGE_AT, rows * rowBytes, position + a0 * rowBytes);
        reverse3InHeap(k, heap32, STAGE_AT, RING_AT + at, a0, rows, A, B, S);
      }
    } catch {
      status = 1;
    }
    queue[published * 3] = i;
    queue[published * 3 + 1] = at;
    queue[published * 3 + 2] = status;
    held.push({ seq: published, at, len });
    published++;
    Atomics.store(ctl, DONE, published);
    Atomics.notify(ctl, DONE);
  }
});
