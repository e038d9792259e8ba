/**
 * Fuzz worker (not a test; run by fuzz_torch.test.ts): mutates seed files with a seeded PRNG
 * (bit flips, interesting bytes, truncation, splices, insertions, deletions), opens each mutant
 * and reads every tensor. Posts one message per case so the parent can detect a hang.
 */
import { parentPort, workerData } from "node:worker_threads";
import { readFileSync, writeFileSync } from "node:fs";
import { open } from "../../src/checkpoint/open";
import { GraftFormatError } from "../../src/checkpoint/errors";
import { toTfjsValues } from "../../src/checkpoint/_dtype";
import { mulberry32 } from "../../src/train/_seeded_random";

interface Job { seeds: string[]; cases: number; seed: number; tmp: string }
const job = workerData as Job;
const seeds = job.seeds.map((f) => readFileSync(f));

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];

function mutate(rand: () => number): Buffer {
  const int = (n: number): number => Math.floor(rand() * n);
  let b = Buffer.from(seeds[int(seeds.length)]);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const kind = int(7);
    if (b.length === 0) break;
    if (kind === 0) for (let k = 1 + int(8); k > 0; k--) b[int(b.length)] ^= 1 << int(8); // bit flips
    else if (kind === 1) for (let k = 1 + int(4); k > 0; k--) b[int(b.length)] = INTERESTING[int(INTERESTING.length)];
    else if (kind === 2) b = b.subarray(0, int(b.length)); // truncation
    else if (kind === 3) { // splice: a chunk of any seed over a random place
      const src = seeds[int(seeds.length)];
      const from = int(src.length), len = int(Math.min(256, src.length - from)), to = int(b.length);
      b = Buffer.concat([b.subarray(0, to), src.subarray(from, from + len), b.subarray(Math.min(b.length, to + len))]);
    } else if (kind === 4) { const at = int(b.length); b = Buffer.concat([b.subarray(0, at), Buffer.from([int(256), int(256)]), b.subarray(at)]); }
    else if (kind === 5) { const at = int(b.length); b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(16))]); }
    else if (b.length >= 4) b.writeUInt32LE(int(2 ** 32), int(b.length - 3)); // a random u32 (sizes, offsets)
  }
  return b;
}

async function run(): Promise<void> {
  let maxArrayBuffers = 0;
  for (let i = 0; i < job.cases; i++) {
    const rand = mulberry32(job.seed * 1_000_003 + i);
    writeFileSync(job.tmp, mutate(rand));
    let outcome = "ok";
    try {
      const ck = await open(job.tmp);
      try {
        for (const e of ck.entries) {
          try {
            const raw = await ck.readRaw(e.name);
            toTfjsValues(raw, job.tmp, e.name);
          } catch (err) {
            if (!(err instanceof GraftFormatError)) throw err;
          }
        }
      } finally {
        await ck.close();
      }
    } catch (err) {
      if (!(err instanceof GraftFormatError)) outcome = `${(err as Error)?.name}: ${(err as Error)?.message}\n${(err as Error)?.stack}`;
    }
    maxArrayBuffers = Math.max(maxArrayBuffers, process.memoryUsage().arrayBuffers);
    parentPort!.postMessage({ i, outcome, maxArrayBuffers });
  }
}

void run();
