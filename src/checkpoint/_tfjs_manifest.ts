/**
 * Reads and validates a tfjs `model.json` (tfjs-core io ModelJSON): every manifest group has
 * string `paths` and `weights`; every weight a unique name, a shape of non-negative integers, a
 * dtype graft reads (float32, int32, bool; `string`/`complex64` are refused) and, if quantized,
 * `{dtype: uint8|uint16, scale, min}` (finite numbers) or `{dtype: float16}` on float32 weights.
 * Byte sizes are computed with checked arithmetic before anything is read.
 */
import { GraftFormatError } from "./errors";
import { readJsonFile } from "./_file_read";

/** One weight of a manifest group, validated, with its size in the shards. */
export interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: "float32" | "int32" | "bool";
  quantization?: { dtype: "uint8" | "uint16" | "float16"; scale?: number; min?: number };
  byteLength: number;
}

/** One weights-manifest group: shard paths (relative to model.json) and its weights in order. */
export interface ManifestGroup { paths: string[]; weights: ManifestWeight[] }

const MAX_MODEL_JSON = 100 * 2 ** 20;
const DTYPE_SIZE = { float32: 4, int32: 4, bool: 1 } as const;
const QUANT_SIZE = { uint8: 1, uint16: 2, float16: 2 } as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 80) ?? String(v);

function parseWeight(file: string, raw: unknown, index: number): ManifestWeight {
  if (!isObject(raw) || typeof raw.name !== "string") throw new GraftFormatError(file, `weightsManifest weight #${index} must be {name, shape, dtype}, got ${show(raw)}`);
  const name = raw.name;
  const bad = (msg: string): never => {
    throw new GraftFormatError(file, msg, { entry: name });
  };
  const { shape, dtype, quantization } = raw;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return bad(`shape must be an array of non-negative integers, got ${show(shape)}`);
  if (dtype !== "float32" && dtype !== "int32" && dtype !== "bool") {
    return bad(`dtype ${show(dtype)} is not supported (graft reads float32, int32 and bool weights)`);
  }
  let numel = 1n;
  for (const d of shape as number[]) numel *= BigInt(d);
  let elementSize: number = DTYPE_SIZE[dtype];
  let q: ManifestWeight["quantization"];
  if (quantization !== undefined) {
    if (!isObject(quantization) || !(typeof quantization.dtype === "string" && quantization.dtype in QUANT_SIZE)) {
      return bad(`quantization dtype ${show(isObject(quantization) ? quantization.dtype : quantization)} is unknown; tfjs quantizes to uint8, uint16 or float16`);
    }
    const qd = quantization.dtype as keyof typeof QUANT_SIZE;
    if (qd === "float16") {
      if (dtype !== "float32") bad(`float16 quantization applies to float32 weights only, this one is ${dtype}`);
      q = { dtype: qd };
    } else {
      const { scale, min } = quantization;
      if (typeof scale !== "number" || typeof min !== "number" || !Number.isFinite(scale) || !Number.isFinite(min)) {
        return bad(`${qd} quantization needs finite numbers scale and min, got scale ${show(scale)}, min ${show(min)}`);
      }
      if (dtype === "bool") bad(`${qd} quantization applies to float32 or int32 weights, not bool`);
      q = { dtype: qd, scale, min };
    }
    elementSize = QUANT_SIZE[qd];
  }
  const bytes = numel * BigInt(elementSize);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) bad(`shape [${shape}] needs ${bytes} bytes, beyond what any file holds`);
  return { name, shape: (shape as number[]).slice(), dtype, quantization: q, byteLength: Number(bytes) };
}

/** Layer names of a layers-model topology (Sequential or functional), else undefined. */
function layerNames(topology: unknown): string[] | undefined {
  if (!isObject(topology)) return undefined;
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  const config = isObject(model.config) ? model.config : undefined;
  const layers = config && Array.isArray(config.layers) ? config.layers : undefined;
  if (!layers) return undefined;
  return layers.map((l) => (isObject(l) && typeof l.name === "string" ? l.name : isObject(l) && isObject(l.config) && typeof l.config.name === "string" ? l.config.name : "?"));
}

/**
 * Reads model.json and returns its validated weight groups and non-weight metadata.
 * @param file the model.json
 * @returns groups in manifest order and metadata (format, generatedBy, convertedBy, layerNames, …)
 * @example
 * ```ts
 * const { groups } = await readManifest("model.json");
 * console.log(groups[0].paths); // ["group1-shard1of2.bin", "group1-shard2of2.bin"]
 * ```
 */
export async function readManifest(file: string): Promise<{ groups: ManifestGroup[]; metadata: Record<string, unknown> }> {
  const json = await readJsonFile(file, MAX_MODEL_JSON, "model.json");
  if (!isObject(json) || !Array.isArray(json.weightsManifest)) {
    throw new GraftFormatError(file, `model.json needs a "weightsManifest" array of {paths, weights} groups; is this a tfjs model.json?`);
  }
  const seen = new Set<string>();
  const groups: ManifestGroup[] = [];
  let index = 0;
  for (const [g, group] of json.weightsManifest.entries()) {
    if (!isObject(group) || !Array.isArray(group.paths) || !group.paths.every((p) => typeof p === "string" && p !== "") || !Array.isArray(group.weights)) {
      throw new GraftFormatError(file, `weightsManifest group #${g} must be {paths: string[], weights: [...]}, got ${show(group)}`);
    }
    const weights = group.weights.map((w) => parseWeight(file, w, index++));
    for (const w of weights) {
      if (seen.has(w.name)) throw new GraftFormatError(file, `weight name appears twice in the manifest`, { entry: w.name });
      seen.add(w.name);
    }
    groups.push({ paths: group.paths as string[], weights });
  }
  const metadata: Record<string, unknown> = {};
  for (const key of ["format", "generatedBy", "convertedBy", "userDefinedMetadata"]) {
    if (json[key] !== undefined && json[key] !== null) metadata[key] = json[key];
  }
  const names = layerNames(json.modelTopology);
  if (names) metadata.layerNames = names;
  const quantized = groups.flatMap((g) => g.weights.filter((w) => w.quantization).map((w) => [w.name, w.quantization] as const));
  if (quantized.length) metadata.quantization = Object.fromEntries(quantized);
  return { groups, metadata };
}
