/** save: a model's weights out to a PyTorch `.pth` or a `.safetensors` file, with torch names and layouts. */
import type * as tf from "@tensorflow/tfjs";
import { renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { GraftSaveError } from "./errors";
import { writeSafetensors } from "./safetensors";
import { planStateDict, type ExportNames, type StateDictEntry } from "./state_dict";
import { writeTorchZip } from "./torch_zip";

/** Options of {@link save}. */
export interface SaveOptions {
  /** `"torch"` (zip, as `torch.save`) or `"safetensors"`; default from the extension (`.pth`/`.pt`/`.bin` → torch). */
  format?: "torch" | "safetensors";
  /** `"torch"` (default): torch state-dict names and layouts; `"tfjs"`: `layer/weight` names, tfjs layouts. */
  names?: ExportNames;
  /**
   * `.pth` only: write every tensor in row-major torch order (`tensor.is_contiguous()` in Python).
   * Default false: kernels whose torch layout is a permutation of tfjs's are written as tfjs
   * holds them, with torch strides — `load_state_dict` copies them the same, and no transpose is
   * paid; pass true when Python code needs contiguous tensors (e.g. `safetensors.torch.save_file`).
   */
  contiguous?: boolean;
  /** Extra `__metadata__` strings for safetensors (graft adds `producer`, `format` and `architecture`). */
  metadata?: Record<string, string>;
}

/** What {@link save} wrote. */
export interface SaveResult {
  path: string;
  format: "torch" | "safetensors";
  bytes: number;
  /** The tensors in file order, with the transform that made each from the tfjs weight. */
  tensors: { name: string; shape: number[]; dtype: string; transform: string; stride?: number[] }[];
}

const TORCH_EXT = /\.(pth|pt|bin|ckpt)$/i;

function formatOf(path: string, wanted: SaveOptions["format"]): "torch" | "safetensors" {
  if (wanted !== undefined) {
    if (wanted !== "torch" && wanted !== "safetensors") {
      throw new RangeError(`save: format must be "torch" or "safetensors"; got ${JSON.stringify(wanted)}`);
    }
    return wanted;
  }
  if (/\.safetensors$/i.test(path)) return "safetensors";
  if (TORCH_EXT.test(path)) return "torch";
  throw new RangeError(`save: cannot tell the format of ${path} from its extension; name it .pth or .safetensors, or pass { format: "torch" | "safetensors" }`);
}

/**
 * Writes the model's weights so PyTorch can load them: `model.load_state_dict(torch.load(path,
 * weights_only=True), strict=True)` for `.pth`, `safetensors.torch.load_file(path)` for
 * `.safetensors`. Names are `<layer name>.<torch parameter>` — the zoo's layer names are
 * torchvision's module paths, so a zoo model saves as torchvision's state dict. Layouts are the
 * inverse of the load table (OIHW conv kernels, `(out, in)` Linear with the Flatten permutation
 * undone, `running_mean`/`running_var`/`num_batches_tracked` for BatchNorm — the counter is 0, as
 * tfjs keeps none —, LSTM `bias_ih_l0` = bias and `bias_hh_l0` = 0). A weight with no torch
 * counterpart throws {@link GraftSaveError} naming the layer, before anything is written; the
 * file appears atomically (written beside it, then renamed).
 * @param model the tfjs model.
 * @param path `*.pth` / `*.pt` or `*.safetensors` (or any name with `format`).
 * @param options see {@link SaveOptions}.
 * @returns what was written (see {@link SaveResult}).
 * @example
 * ```ts
 * const model = zoo.resnet18({ numClasses: 5 });
 * await save(model, "resnet18-ft.pth");          // python: torchvision.models.resnet18(num_classes=5).load_state_dict(torch.load(...))
 * await save(model, "resnet18-ft.safetensors");
 * ```
 */
export async function save(model: tf.LayersModel, path: string, options: SaveOptions = {}): Promise<SaveResult> {
  if (typeof path !== "string" || path.length === 0) throw new TypeError(`save: path must be a file name like "model.pth"; got ${String(path)}`);
  if (options === null || typeof options !== "object") throw new TypeError(`save: options must be an object; got ${String(options)}`);
  const format = formatOf(path, options.format);
  if (options.contiguous !== undefined && typeof options.contiguous !== "boolean") {
    throw new TypeError(`save: contiguous must be true or false; got ${String(options.contiguous)}`);
  }
  const steps = planStateDict(model, options.names ?? "torch", path, format === "torch" && !options.contiguous);
  let entries: StateDictEntry[] = [];
  const tmp = join(dirname(path), `.${basename(path)}.graft-${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    if (format === "torch") entries = await writeTorchZip(tmp, steps);
    else {
      entries = steps.flatMap((s) => s.convert());
      const meta = { format: "pt", producer: "graft", architecture: model.name, names: options.names ?? "torch", ...(options.metadata ?? {}) };
      await writeSafetensors(tmp, entries, meta);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof GraftSaveError) throw err;
    throw new GraftSaveError(path, `writing failed: ${(err as Error).message}`, { cause: err });
  }
  return {
    path,
    format,
    bytes: statSync(path).size,
    tensors: entries.map((e) => ({ name: e.name, shape: e.shape, dtype: e.dtype, transform: e.transform, ...(e.stride ? { stride: e.stride } : {}) })),
  };
}
