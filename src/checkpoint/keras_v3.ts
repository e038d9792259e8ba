/**
 * Keras 3 weights (keras `saving_lib`, H5IOStore): `model.save_weights("m.weights.h5")` writes
 * one HDF5 file where every saveable object gets a group `<path>/vars` holding its variables as
 * datasets `0`, `1`, … (trainable then non-trainable, in creation order). The model's own vars
 * are `/vars`; its layers are `layers/<snake_case class name>[_<k>]` (`layers/dense`,
 * `layers/dense_1`, `layers/conv2d` — class names, not layer names); nested models repeat the
 * pattern (`layers/functional/layers/dense/vars/0`); `optimizer/…` and `metrics/…` hold training
 * state. A dataset with the attribute `dtype = "bfloat16"` holds bfloat16 bits.
 * `model.save("m.keras")` writes a zip with `config.json`, `metadata.json` and that HDF5 file as
 * `model.weights.h5` (stored or deflated).
 *
 * Entries are the model's weights (`optimizer` and `metrics` are left out, counted in metadata):
 * - `.weights.h5` alone: the h5 path without `/vars` — `layers/dense_1/0` — layers in natural order.
 * - `.keras`: config.json says which layer each `layers/<class>_<k>` group is (the k-th layer of
 *   that class in config order), so entries are `<layer name>/<weight>` in config order, with the
 *   weight names Keras gives known layers (Dense/Conv*: kernel, bias; BatchNormalization: gamma,
 *   beta, moving_mean, moving_variance; LayerNormalization: gamma, beta; Embedding: embeddings),
 *   honouring use_bias/scale/center; other layers keep `<layer name>/<i>`.
 * h5wasm reads only real files, so a `.keras` member is copied to a temporary file first (removed
 * right after HDF5 opens it where the OS allows, else on close).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { open as fsOpen } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GraftFormatError } from "./errors";
import { H5File } from "./_h5";
import { kerasCheckpoint, type KerasEntry } from "./_keras_checkpoint";
import { ZipReader } from "./_zip";
import type { Checkpoint, OpenOptions } from "./types";

/** Layer groups a Keras 3 file may hold (large language models have a few thousand). */
const MAX_GROUPS = 100_000;
const natural = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });
const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v); // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * True when the file has Keras 3's `vars` groups (at the root or under `layers/`).
 * @example
 * ```ts
 * const h5 = await H5File.open("m.weights.h5");
 * if (await isKerasV3Layout(h5)) console.log("Keras 3 .weights.h5");
 * ```
 */
export async function isKerasV3Layout(h5: H5File): Promise<boolean> {
  const root = await h5.keys("/");
  if (root.includes("layers")) return (await h5.kind("/layers")) === "group";
  return root.includes("vars") && (await h5.kind("/vars")) === "group";
}

/**
 * Keras's `naming.to_snake_case`, which names the h5 group of each layer after its class.
 * @param name a class name
 * @returns its snake_case form
 * @example
 * ```ts
 * assert.equal(toSnakeCase("BatchNormalization"), "batch_normalization");
 * assert.equal(toSnakeCase("Conv2D"), "conv2d");
 * ```
 */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

type VarNames = (config: Record<string, unknown>) => string[];
const kernelBias: VarNames = (c) => (c.use_bias === false ? ["kernel"] : ["kernel", "bias"]);
const gammaBeta = (c: Record<string, unknown>): string[] => [...(c.scale === false ? [] : ["gamma"]), ...(c.center === false ? [] : ["beta"])];
/** Variable names of known layer classes, in the order Keras creates them. */
const VAR_NAMES: Record<string, VarNames> = {
  Dense: kernelBias,
  Conv1D: kernelBias,
  Conv2D: kernelBias,
  Conv3D: kernelBias,
  Conv1DTranspose: kernelBias,
  Conv2DTranspose: kernelBias,
  Conv3DTranspose: kernelBias,
  BatchNormalization: (c) => [...gammaBeta(c), "moving_mean", "moving_variance"],
  LayerNormalization: gammaBeta,
  Embedding: () => ["embeddings"],
};

/** The datasets of one `vars` group, in index order. */
async function varsOf(h5: H5File, group: string): Promise<string[]> {
  if ((await h5.kind(`${group}/vars`)) !== "group") return [];
  return (await h5.keys(`${group}/vars`)).sort(natural);
}

/** Every `…/vars/<i>` under `group` (depth first, natural order), as h5 paths. */
async function walk(h5: H5File, group: string, out: string[], depth = 0, budget = { groups: 0 }): Promise<void> {
  // Hard links can make a group its own descendant: bound depth and the groups visited.
  if (depth > 64) throw new GraftFormatError(h5.path, "groups nest deeper than 64 levels", { entry: group });
  if (++budget.groups > MAX_GROUPS) throw new GraftFormatError(h5.path, `more than ${MAX_GROUPS} layer groups; the file is corrupt or links groups in a cycle`, { entry: group });
  for (const v of await varsOf(h5, group)) out.push(`${group}/vars/${v}`);
  if ((await h5.kind(`${group}/layers`)) !== "group") return;
  for (const child of (await h5.keys(`${group}/layers`)).sort(natural)) {
    if ((await h5.kind(`${group}/layers/${child}`)) === "group") await walk(h5, `${group}/layers/${child}`, out, depth + 1, budget);
  }
}

/** Names from config.json for the top-level layer groups: `layers/dense_1` → {name, vars}. */
function layerMap(config: unknown): Map<string, { name: string; vars?: string[] }> {
  const map = new Map<string, { name: string; vars?: string[] }>();
  const layers = isObject(config) && isObject(config.config) && Array.isArray(config.config.layers) ? config.config.layers : [];
  const used = new Map<string, number>();
  for (const layer of layers) {
    if (!isObject(layer) || typeof layer.class_name !== "string") continue;
    const cfg = isObject(layer.config) ? layer.config : {};
    const base = toSnakeCase(layer.class_name);
    const k = used.get(base);
    used.set(base, k === undefined ? 0 : k + 1);
    const key = k === undefined ? base : `${base}_${k + 1}`;
    const name = typeof cfg.name === "string" ? cfg.name : typeof layer.name === "string" ? layer.name : key;
    map.set(key, { name, vars: VAR_NAMES[layer.class_name]?.(cfg) });
  }
  return map;
}

/**
 * Builds the Keras 3 checkpoint over an open HDF5 file (used by openKerasH5 and openKerasV3).
 * @param path the file the user opened
 * @param h5 the weights HDF5 file
 * @param config parsed config.json of a .keras archive, if any
 * @param extra metadata to add (metadata.json of a .keras)
 * @param onClose cleanup on close
 * @returns the checkpoint, format "keras-v3"
 * @example
 * ```ts
 * const ck = await kerasV3FromH5("m.weights.h5", await H5File.open("m.weights.h5"), undefined, {});
 * ```
 */
export async function kerasV3FromH5(path: string, h5: H5File, config: unknown, extra: Record<string, unknown>, onClose?: () => void): Promise<Checkpoint> {
  const paths: string[] = [];
  await walk(h5, "", paths);
  const skipped: Record<string, number> = {};
  for (const top of await h5.keys("/")) {
    if (top === "layers" || top === "vars" || (await h5.kind(`/${top}`)) !== "group") continue;
    const n: string[] = [];
    await walk(h5, `/${top}`, n);
    if (n.length) skipped[top] = n.length;
  }
  const names = config === undefined ? undefined : layerMap(config);
  const order = names ? [...names.keys()] : [];
  const rank = (p: string): number => {
    const m = /^\/layers\/([^/]+)\//.exec(p);
    const i = m ? order.indexOf(m[1]) : -1;
    return i < 0 ? order.length : i;
  };
  if (names) paths.sort((a, b) => rank(a) - rank(b)); // stable: keeps var order inside a layer
  const list: KerasEntry[] = paths.map((dataset) => ({ name: dataset.slice(1).replace(/\/vars\//g, "/"), dataset }));
  if (names) {
    for (const [key, { name, vars }] of names) {
      const mine = list.filter((e) => e.dataset.startsWith(`/layers/${key}/`));
      const direct = mine.filter((e) => e.dataset.startsWith(`/layers/${key}/vars/`));
      const useVars = vars && vars.length === direct.length;
      for (const e of mine) {
        const rest = e.dataset.slice(`/layers/${key}/`.length);
        const idx = /^vars\/(\d+)$/.exec(rest);
        e.name = idx && useVars ? `${name}/${vars![Number(idx[1])] ?? idx[1]}` : `${name}/${rest.replace(/(^|\/)vars\//g, "$1")}`;
      }
    }
  }
  const metadata: Record<string, unknown> = { ...extra, h5_paths: Object.fromEntries(list.map((e) => [e.name, e.dataset])) };
  if (names) metadata.layer_names = [...names.values()].map((v) => v.name);
  if (Object.keys(skipped).length) metadata.skipped = skipped;
  return kerasCheckpoint(path, "keras-v3", h5, list, metadata, onClose);
}

async function readJsonMember(zip: ZipReader, path: string, member: string, required: boolean): Promise<unknown> {
  if (!zip.entry(member)) {
    if (required) throw new GraftFormatError(path, `.keras archive has no ${member}`, { entry: member });
    return undefined;
  }
  const size = zip.entry(member)!.uncompressedSize;
  if (size > 100 * 2 ** 20) throw new GraftFormatError(path, `${member} of ${size} bytes is over graft's 100 MiB limit`, { entry: member });
  try {
    return JSON.parse(new TextDecoder().decode(await zip.read(member)));
  } catch (err) {
    if (err instanceof GraftFormatError) throw err;
    throw new GraftFormatError(path, `${member} is not valid JSON: ${(err as Error).message}`, { entry: member, cause: err });
  }
}

/** Copies a zip member to `dest` (stored members in 16 MiB pieces, deflated ones inflated whole). */
async function extract(zip: ZipReader, member: string, dest: string, onProgress?: OpenOptions["onProgress"]): Promise<void> {
  const entry = zip.entry(member)!;
  const out = await fsOpen(dest, "w");
  try {
    const step = entry.method === 0 ? 16 * 2 ** 20 : entry.uncompressedSize;
    for (let at = 0; at < entry.uncompressedSize; at += step) {
      const part = await zip.read(member, at, Math.min(step, entry.uncompressedSize - at));
      await out.write(part, 0, part.length, at);
      onProgress?.(at + part.length, entry.uncompressedSize);
    }
  } finally {
    await out.close();
  }
}

/**
 * Opens a Keras 3 checkpoint lazily: a `.keras` archive or a `.weights.h5` file.
 * @param path the file
 * @param opts `onProgress` reports the copy of a `.keras` archive's weights out of the zip
 * @returns the {@link Checkpoint} (format "keras-v3"); metadata: `layer_names` (from config.json),
 *   `class_name`, `keras_version` (metadata.json), `h5_paths` ({entry: dataset}), `skipped`
 * @example
 * ```ts
 * const ck = await openKerasV3("classifier.keras");
 * const k = await ck.read("dense/kernel");
 * await ck.close();
 * ```
 */
export async function openKerasV3(path: string, opts: OpenOptions = {}): Promise<Checkpoint> {
  const fh = await fsOpen(path, "r");
  let head: Buffer;
  try {
    head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  if (head.readUInt32LE(0) !== 0x04034b50) {
    const h5 = await H5File.open(path);
    try {
      if (!(await isKerasV3Layout(h5))) throw new GraftFormatError(path, "HDF5 file has no Keras 3 layers/…/vars groups; for a Keras 2 .h5 use openKerasH5");
      return await kerasV3FromH5(path, h5, undefined, {});
    } catch (err) {
      await h5.close();
      throw err;
    }
  }
  const zip = await ZipReader.open(path);
  let dir: string | undefined;
  try {
    const member = zip.names.includes("model.weights.h5") ? "model.weights.h5" : zip.names.find((n) => n.endsWith(".weights.h5"));
    if (!member) throw new GraftFormatError(path, `.keras archive has no model.weights.h5 (members: ${zip.names.slice(0, 6).join(", ")})`);
    const config = await readJsonMember(zip, path, "config.json", true);
    const meta = await readJsonMember(zip, path, "metadata.json", false);
    dir = mkdtempSync(join(tmpdir(), "graft-keras-"));
    const tmp = join(dir, "model.weights.h5");
    await extract(zip, member, tmp, opts.onProgress);
    const h5 = await H5File.open(tmp, `${path}!${member}`);
    const cleanup = (d: string): void => rmSync(d, { recursive: true, force: true });
    let removed = false;
    try {
      cleanup(dir);
      removed = true; // HDF5 holds the file open; on POSIX the name can go now
    } catch {
      // Windows: removed on close
    }
    const extra: Record<string, unknown> = {};
    if (isObject(config)) extra.class_name = config.class_name;
    if (isObject(meta)) {
      for (const key of ["keras_version", "date_saved"]) if (meta[key] !== undefined) extra[key] = meta[key];
    }
    const tmpDir = dir;
    dir = undefined;
    try {
      return await kerasV3FromH5(path, h5, config, extra, () => removed || cleanup(tmpDir));
    } catch (err) {
      await h5.close();
      if (!removed) cleanup(tmpDir);
      throw err;
    }
  } finally {
    await zip.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

