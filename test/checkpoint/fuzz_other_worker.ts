/**
 * Fuzz worker (not a test; run by fuzz_other.test.ts) for safetensors, tfjs and Keras files.
 * A seed is a set of files (a model.json and its shards, an index and its shards, or one file);
 * each case copies one seed set into its own folder with ONE of its files mutated (bit flips,
 * special bytes, truncation, splices from any seed file, insertions, deletions, random u32/u64
 * at random places), opens the entry file with `open()` and reads every tensor. Posts one
 * message per case so the parent can detect a hang.
 */
import { parentPort, workerData } from "node:worker_threads";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { open } from "../../src/checkpoint/open";
import { GraftFormatError } from "../../src/checkpoint/errors";
import { toTfjsValues } from "../../src/checkpoint/_dtype";

interface SeedSet { entry: string; files: string[] }
interface Job { seeds: SeedSet[]; cases: number; seed: number; tmp: string; start?: number }
const job = workerData as Job;
const sets = job.seeds.map((s) => ({ entry: basename(s.entry), files: s.files.map((f) => ({ name: basename(f), bytes: readFileSync(f) })) }));
const pool = sets.flatMap((s) => s.files.map((f) => f.bytes));

function rng(seed: number): () => number {
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

const SPECIAL = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x7b, 0x22];

function mutate(src: Buffer, rand: () => number): Buffer {
  const pick = (n: number): number => Math.floor(rand() * n);
  let b = Buffer.from(src);
  for (let round = 1 + pick(3); round > 0 && b.length > 0; round--) {
    switch (pick(8)) {
      case 0:
        for (let k = 1 + pick(8); k > 0; k--) b[pick(b.length)] ^= 1 << pick(8);
        break;
      case 1:
        for (let k = 1 + pick(4); k > 0; k--) b[pick(b.length)] = SPECIAL[pick(SPECIAL.length)];
        break;
      case 2:
        b = b.subarray(0, pick(b.length));
        break;
      case 3: {
        const from = pool[pick(pool.length)];
        const at = pick(from.length);
        const chunk = from.subarray(at, at + 1 + pick(128));
        const to = pick(b.length);
        b = Buffer.concat([b.subarray(0, to), chunk, b.subarray(Math.min(b.length, to + chunk.length))]);
        break;
      }
      case 4: {
        const at = pick(b.length);
        b = Buffer.concat([b.subarray(0, at), Buffer.from([pick(256), pick(256), pick(256)]), b.subarray(at)]);
        break;
      }
      case 5: {
        const at = pick(b.length);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + pick(32))]);
        break;
      }
      case 6:
        if (b.length >= 4) b.writeUInt32LE(pick(2 ** 32), pick(b.length - 3));
        break;
      default:
        if (b.length >= 8) b.writeBigUInt64LE(BigInt(pick(2 ** 32)) << BigInt(pick(33)), pick(b.length - 7));
    }
  }
  return b;
}

async function run(): Promise<void> {
  let maxArrayBuffers = 0;
  for (let i = job.start ?? 0; i < job.cases; i++) {
    const rand = rng(job.seed * 7919 + i * 104729 + 17);
    const s = Math.floor(rand() * sets.length);
    const set = sets[s];
    const victim = Math.floor(rand() * set.files.length);
    const dir = join(job.tmp, String(s));
    mkdirSync(dir, { recursive: true });
    for (const [k, f] of set.files.entries()) writeFileSync(join(dir, f.name), k === victim ? mutate(f.bytes, rand) : f.bytes);
    let outcome = "ok";
    const t0 = performance.now();
    try {
      const ck = await open(join(dir, set.entry));
      try {
        for (const e of ck.entries) {
          try {
            toTfjsValues(await ck.readRaw(e.name), ck.path, e.name);
          } catch (err) {
            if (!(err instanceof GraftFormatError)) throw err;
          }
        }
      } finally {
        await ck.close();
      }
    } catch (err) {
      if (!(err instanceof GraftFormatError)) outcome = `${set.files[victim].name}: ${(err as Error)?.name}: ${(err as Error)?.message}\n${(err as Error)?.stack}`;
    }
    maxArrayBuffers = Math.max(maxArrayBuffers, process.memoryUsage().arrayBuffers);
    parentPort!.postMessage({ i, outcome, maxArrayBuffers, ms: performance.now() - t0 });
  }
}

void run();
