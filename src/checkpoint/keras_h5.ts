/**
 * Keras 2 HDF5 weights (tf.keras `save_weights_to_hdf5_group` / `load_weights_from_hdf5_group`):
 * a full model (`model.save("m.h5")`) keeps them in the `/model_weights` group next to the root
 * attributes `model_config` (JSON), `keras_version` and `backend`; a weights-only file
 * (`save_weights("w.h5")`) keeps them at the root. That group has the attribute `layer_names`;
 * each layer is a subgroup with the attribute `weight_names`, and each weight a dataset at
 * `<layer>/<weight name>` (`dense_1/dense_1/kernel:0`). Attributes too large for an HDF5 object
 * header are split by Keras into `layer_names0`, `layer_names1`, … and read back in that order.
 *
 * Entry names are the h5 weight names, in layer order (`dense_1/kernel:0`); a name that occurs in
 * two layers is prefixed with its layer. `optimizer_weights` are not entries. A Keras 3 file
 * (`.weights.h5`: `layers/<name>/vars/<i>`) that reaches this reader is handed to keras_v3.ts.
 * HDF5 itself is read through h5wasm (see _h5.ts for why).
 */
import { GraftFormatError } from "./errors";
import { H5File } from "./_h5";
import { kerasCheckpoint, type KerasEntry } from "./_keras_checkpoint";
import { isKerasV3Layout, kerasV3FromH5 } from "./keras_v3";
import type { Checkpoint, OpenOptions } from "./types";

/**
 * Reads a Keras string-list attribute, joining the chunks `name0`, `name1`, … Keras writes when
 * the list is too large for one HDF5 object header.
 * @param h5 the open file
 * @param path the group
 * @param name the attribute (`layer_names`, `weight_names`)
 * @returns the strings, or undefined when neither form is present
 * @example
 * ```ts
 * const h5 = await H5File.open("model.h5");
 * const layers = await kerasAttr(h5, "/model_weights", "layer_names"); // ["conv2d", "dense"]
 * ```
 */
export async function kerasAttr(h5: H5File, path: string, name: string): Promise<string[] | undefined> {
  const whole = await h5.stringsAttr(path, name);
  if (whole) return whole;
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const part = await h5.stringsAttr(path, `${name}${i}`);
    if (!part) return i === 0 ? undefined : out;
    out.push(...part);
  }
}

async function parseJsonAttr(h5: H5File, name: string): Promise<unknown> {
  const text = (await h5.stringsAttr("/", name))?.[0];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Opens a Keras HDF5 weights file lazily (Keras 2 `.h5`; Keras 3 `.weights.h5` is forwarded to
 * the Keras 3 reader and comes back with format "keras-v3").
 * @param path the .h5 file
 * @param _opts unused
 * @returns the {@link Checkpoint}; metadata: `layer_names`, `weight_names` ({layer: names}),
 *   `keras_version`, `backend`, `model_config` (parsed) for full models
 * @example
 * ```ts
 * const ck = await openKerasH5("vgg16_weights_tf_dim_ordering_tf_kernels.h5");
 * const k = await ck.read("block1_conv1/kernel:0"); // [3, 3, 3, 64]
 * await ck.close();
 * ```
 */
export async function openKerasH5(path: string, _opts: OpenOptions = {}): Promise<Checkpoint> {
  const h5 = await H5File.open(path);
  try {
    const root = (await h5.kind("/model_weights")) === "group" ? "/model_weights" : "/";
    const layerNames = await kerasAttr(h5, root, "layer_names");
    if (!layerNames) {
      if (await isKerasV3Layout(h5)) return await kerasV3FromH5(path, h5, undefined, {});
      throw new GraftFormatError(
        path,
        `HDF5 file is not a Keras weights file: no layer_names attribute on ${root} (Keras 2) and no layers/…/vars groups (Keras 3)`,
        { entry: root },
      );
    }
    const prefix = root === "/" ? "" : root;
    const weightNames: Record<string, string[]> = {};
    const list: KerasEntry[] = [];
    const count = new Map<string, number>();
    for (const layer of layerNames) {
      const group = `${prefix}/${layer}`;
      if ((await h5.kind(group)) !== "group") throw new GraftFormatError(path, `layer_names lists ${layer}, but there is no group ${group}`, { entry: layer });
      const names = (await kerasAttr(h5, group, "weight_names")) ?? [];
      Object.defineProperty(weightNames, layer, { value: names, enumerable: true, writable: true, configurable: true });
      for (const w of names) {
        list.push({ name: w, dataset: `${group}/${w}` });
        count.set(w, (count.get(w) ?? 0) + 1);
      }
    }
    for (const e of list) if ((count.get(e.name) ?? 0) > 1) e.name = `${e.dataset.slice(prefix.length + 1, -e.name.length - 1)}/${e.name}`;
    const metadata: Record<string, unknown> = { layer_names: layerNames, weight_names: weightNames };
    for (const key of ["keras_version", "backend"]) {
      const v = (await h5.stringsAttr(root, key))?.[0] ?? (await h5.stringsAttr("/", key))?.[0];
      if (v !== undefined) metadata[key] = v;
    }
    const config = await parseJsonAttr(h5, "model_config");
    if (config !== undefined) metadata.model_config = config;
    return await kerasCheckpoint(path, "keras-h5", h5, list, metadata);
  } catch (err) {
    await h5.close();
    throw err;
  }
}
