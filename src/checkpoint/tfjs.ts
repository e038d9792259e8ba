/**
 * TensorFlow.js `model.json` + binary weight shards (tfjs-core `io/types.ts` ModelJSON and
 * WeightsManifestConfig; tfjs-converter's quantization): `weightsManifest` is a list of groups
 * `{paths: [shard, …], weights: [{name, shape, dtype, quantization?}, …]}`. A group's weights lie
 * back to back in the concatenation of its shards (paths relative to model.json), so a weight's
 * offset is the sum of the byte sizes before it; each group's shards must add up to exactly its
 * weights' bytes. Quantized weights (`quantization: {dtype: "uint8" | "uint16", scale, min}` →
 * `q * scale + min`; `{dtype: "float16"}` → half floats) are dequantized on read, as tfjs's
 * `decodeWeights` does. Opening reads model.json and stats the shards; `read` reads one range.
 *
 * Entries: `dtype` is the weight's tfjs dtype (float32/int32/bool) and `byteLength` its bytes in
 * the shards (quantized size); `metadata.quantization` maps quantized names to their parameters.
 */
import { open as fsOpen, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { GraftFormatError } from "./errors";
import { decodeRaw, float16ToFloat32, toTfjs } from "./_dtype";
import { readExactly } from "./_zip";
import { readManifest, type ManifestWeight } from "./_tfjs_manifest";
import type { Checkpoint, OpenOptions, RawTensor, TensorInfo } from "./types";

interface Shard { path: string; name: string; size: number; start: number }
interface Located { weight: ManifestWeight; shards: Shard[]; start: number }

async function statShard(modelJson: string, dir: string, name: string, firstWeight: string | undefined): Promise<number> {
  const norm = normalize(name);
  if (isAbsolute(name) || norm === ".." || norm.startsWith(`..${sep}`)) {
    throw new GraftFormatError(modelJson, `weight shard path ${JSON.stringify(name)} leaves the model.json folder; shards must sit beside model.json`, { entry: name });
  }
  try {
    const s = await stat(join(dir, name));
    if (!s.isFile()) throw new GraftFormatError(modelJson, `weight shard ${name} is not a file`, { entry: name });
    return s.size;
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") {
      throw new GraftFormatError(modelJson, `weight shard ${name} is missing (looked for ${join(dir, name)}); its group holds ${firstWeight ?? "no weights"}…`, { entry: name, cause: err });
    }
    throw err;
  }
}

/** Reads `length` bytes from `start` of a group's concatenated shards. */
async function readSpan(modelJson: string, shards: Shard[], start: number, length: number, entry: string): Promise<Uint8Array> {
  const out = Buffer.allocUnsafeSlow(length);
  let done = 0;
  for (const s of shards) {
    if (done === length) break;
    const end = s.start + s.size;
    if (end <= start + done) continue;
    const from = start + done - s.start;
    const take = Math.min(length - done, s.size - from);
    const fh = await fsOpen(s.path, "r");
    try {
      const part = await readExactly(fh, s.path, from, take, entry);
      out.set(part, done);
    } catch (err) {
      if (err instanceof GraftFormatError) throw new GraftFormatError(modelJson, `weight shard ${s.name} changed since it was opened: ${err.message}`, { entry, cause: err });
      throw err;
    } finally {
      await fh.close();
    }
    done += take;
  }
  if (done !== length) throw new GraftFormatError(modelJson, `weight needs ${length} bytes at group offset ${start}, the shards hold ${done}`, { entry });
  return out;
}

function dequantize(w: ManifestWeight, bytes: Uint8Array): RawTensor {
  const q = w.quantization!;
  const shape = w.shape.slice();
  if (q.dtype === "float16") return { dtype: "float32", shape, data: float16ToFloat32(decodeRaw(bytes, "float16") as Uint16Array) };
  const src = q.dtype === "uint8" ? bytes : (decodeRaw(bytes, "uint16") as Uint16Array);
  const out = w.dtype === "int32" ? new Int32Array(src.length) : new Float32Array(src.length);
  const round = w.dtype === "int32" ? Math.round : (v: number) => v;
  for (let i = 0; i < src.length; i++) out[i] = round(src[i] * q.scale! + q.min!);
  return { dtype: w.dtype, shape, data: out };
}

/**
 * Opens a tfjs `model.json` with its weight shards lazily.
 * @param path the model.json
 * @param _opts unused
 * @returns the {@link Checkpoint}: entries in manifest order; metadata `format`, `generatedBy`,
 *   `convertedBy`, `layerNames` (layers models), `userDefinedMetadata`, `quantization`
 * @example
 * ```ts
 * const ck = await openTfjs("mobilenet/model.json");
 * const k = await ck.read(ck.entries[0].name); // dequantized if the converter quantized it
 * await ck.close();
 * ```
 */
export async function openTfjs(path: string, _opts: OpenOptions = {}): Promise<Checkpoint> {
  const { groups, metadata } = await readManifest(path);
  const dir = dirname(path);
  const located = new Map<string, Located>();
  const entries: TensorInfo[] = [];
  for (const group of groups) {
    const shards: Shard[] = [];
    let total = 0;
    for (const name of group.paths) {
      const size = await statShard(path, dir, name, group.weights[0]?.name);
      shards.push({ path: join(dir, name), name, size, start: total });
      total += size;
    }
    const need = group.weights.reduce((n, w) => n + w.byteLength, 0);
    if (need !== total) {
      throw new GraftFormatError(
        path,
        `weight group [${group.paths.join(", ")}] holds ${total} bytes but its ${group.weights.length} weights need ${need}` +
          (total < need ? "; a shard is truncated or missing data" : "; a shard is longer than the manifest says"),
        { entry: group.paths[0] },
      );
    }
    let offset = 0;
    for (const w of group.weights) {
      located.set(w.name, { weight: w, shards, start: offset });
      entries.push({ name: w.name, shape: w.shape.slice(), dtype: w.dtype, byteLength: w.byteLength });
      offset += w.byteLength;
    }
  }
  let closed = false;
  const readRaw = async (name: string): Promise<RawTensor> => {
    const found = located.get(name);
    if (!found) throw new GraftFormatError(path, `no weight named "${name}" in the manifest (${located.size} weights, e.g. ${[...located.keys()].slice(0, 3).join(", ")})`, { entry: name });
    if (closed) throw new GraftFormatError(path, "checkpoint is closed; open it again to read", { entry: name });
    const { weight, shards, start } = found;
    const bytes = await readSpan(path, shards, start, weight.byteLength, name);
    if (weight.quantization) return dequantize(weight, bytes);
    return { dtype: weight.dtype, shape: weight.shape.slice(), data: decodeRaw(bytes, weight.dtype) };
  };
  return {
    format: "tfjs",
    path,
    entries,
    metadata,
    readRaw,
    read: async (name: string): Promise<tf.Tensor> => toTfjs(await readRaw(name), path, name),
    close: async () => {
      closed = true;
    },
  };
}
