/**
 * `imageFolder`: torchvision's `ImageFolder` — one sub-folder per class under `root`, classes
 * sorted by name, files found by walking each class folder (symbolic links followed) in
 * sorted order and kept when their extension is an image's (case-insensitive) or
 * `isValidFile` says so. Files whose first bytes are not an image are reported at
 * construction; files that fail to decode are reported when read.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { tf } from "../engine/engine";
import type { Dataset, Sample } from "./dataset";
import { GraftDatasetError, GraftImageError } from "./errors";
import { toFloat } from "./_image_ops";
import { checkHeader, DEFAULT_MAX_PIXELS, readImage } from "./read_image";
import { runParts, type Transform } from "./transform";

/** torchvision's IMG_EXTENSIONS. */
export const IMG_EXTENSIONS: readonly string[] = Object.freeze([".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"]);

/** Options of {@link imageFolder}. */
export interface ImageFolderOptions {
  /** Applied to each decoded image; when it does not end in a tensor, toTensor is applied after it. */
  transform?: Transform;
  /** File extensions to keep (default {@link IMG_EXTENSIONS}); not together with isValidFile. */
  extensions?: readonly string[];
  /** Decides which files are samples (instead of extensions). */
  isValidFile?: (path: string) => boolean;
  /** Allow a class folder without any image (default false: an error names it). */
  allowEmpty?: boolean;
  /** A file that is not a readable image: "throw" (default) a GraftImageError naming it, or "skip" it and go on. */
  onError?: "throw" | "skip";
  /** Apply EXIF orientation (default false, as torchvision's PIL loader). */
  exifTranspose?: boolean;
  /** Pixel limit per image (default PIL's 178,956,970). */
  maxPixels?: number;
}

/** A file left out under onError "skip", with the error that caused it. */
export interface SkippedFile { file: string; error: GraftImageError }

/** A folder of images per class, as a dataset of {x, y} samples. */
export interface ImageFolder extends Dataset<Sample> {
  readonly root: string;
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  /** [path, class index] per sample, in torchvision's order. */
  readonly samples: [string, number][];
  readonly length: number;
  readonly transform?: Transform;
  /** Files left out or failed under onError "skip" (grows as the loader meets undecodable files). */
  readonly skipped: SkippedFile[];
  /** @internal what the loader's workers need to decode like get(). */
  readonly decodeOptions: { exifTranspose: boolean; maxPixels: number; onError: "throw" | "skip" };
  get(i: number): Promise<Sample>;
}

function walk(dir: string, out: Array<[string, string[]]>, seen: Set<string>): void {
  const real = statSync(dir);
  const key = `${real.dev}:${real.ino}`;
  if (seen.has(key)) return; // a link cycle
  seen.add(key);
  const files: string[] = [];
  const dirs: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && statSync(p, { throwIfNoEntry: false })?.isDirectory());
    (isDir ? dirs : files).push(e.name);
  }
  out.push([dir, files.sort()]);
  for (const d of dirs.sort()) walk(join(dir, d), out, seen);
}

function firstBytes(path: string): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const b = new Uint8Array(64);
    return b.subarray(0, readSync(fd, b, 0, 64, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Builds a dataset from a folder with one sub-folder per class, as torchvision's `ImageFolder`.
 * @param root the folder holding the class folders
 * @param opts transform, extensions or isValidFile, allowEmpty, onError ("throw" | "skip"), exifTranspose, maxPixels
 * @returns the ImageFolder: classes, classToIdx, samples, length, get(i)
 * @throws GraftDatasetError for a missing root, no class folder, or an empty class; GraftImageError for a non-image file (onError "throw")
 * @example
 * ```ts
 * const train = graft.data.imageFolder("photos/train", { transform: graft.data.transforms.imageClassification({ cropSize: 224 }) });
 * console.log(train.classes, train.length);
 * const { x, y } = await train.get(0); // x: [224, 224, 3]
 * ```
 */
export function imageFolder(root: string, opts: ImageFolderOptions = {}): ImageFolder {
  if (typeof root !== "string") throw new TypeError(`Cannot build an imageFolder: root must be a string, got ${typeof root}`);
  if (opts.extensions && opts.isValidFile) throw new TypeError("Cannot build an imageFolder: pass extensions or isValidFile, not both (as torchvision)");
  const onError = opts.onError ?? "throw";
  if (onError !== "throw" && onError !== "skip") throw new TypeError(`Cannot build an imageFolder: onError must be "throw" or "skip", got ${JSON.stringify(onError)}`);
  if (opts.transform !== undefined && !(typeof opts.transform === "function" && Array.isArray((opts.transform as Transform).parts))) {
    throw new TypeError("Cannot build an imageFolder: transform must be a graft.data.transforms transform (wrap a function with transforms.custom)");
  }
  const dir = resolve(root);
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory()) {
    throw new GraftDatasetError(dir, "missing-root", `Cannot build an imageFolder from ${dir}: ${st ? "it is not a folder" : "no such folder"}; pass the folder that holds one sub-folder per class`);
  }
  const classes = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() || (e.isSymbolicLink() && statSync(join(dir, e.name), { throwIfNoEntry: false })?.isDirectory()))
    .map((e) => e.name)
    .sort();
  if (classes.length === 0) throw new GraftDatasetError(dir, "no-classes", `Cannot build an imageFolder from ${dir}: it has no class sub-folder; put each class's images in a folder of its own (root/cat/1.jpg, root/dog/2.jpg)`);
  const classToIdx: Record<string, number> = Object.fromEntries(classes.map((c, i) => [c, i]));
  const extensions = (opts.extensions ?? IMG_EXTENSIONS).map((e) => e.toLowerCase());
  const valid = opts.isValidFile ?? ((p: string) => extensions.some((e) => p.toLowerCase().endsWith(e)));
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const skipped: SkippedFile[] = [];
  const samples: [string, number][] = [];
  const empty: string[] = [];
  for (const c of classes) {
    const walked: Array<[string, string[]]> = [];
    walk(join(dir, c), walked, new Set());
    walked.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const before = samples.length;
    for (const [folder, files] of walked) {
      for (const f of files) {
        const p = join(folder, f);
        if (!valid(p)) continue;
        try {
          checkHeader(p, firstBytes(p), Number.POSITIVE_INFINITY);
        } catch (err) {
          if (!(err instanceof GraftImageError) || err.reason !== "not-an-image") {
            if (err instanceof GraftImageError) { samples.push([p, classToIdx[c]]); continue; } // a short header; decoding will tell
            throw err;
          }
          if (onError === "throw") throw err;
          skipped.push({ file: p, error: err });
          continue;
        }
        samples.push([p, classToIdx[c]]);
      }
    }
    if (samples.length === before) empty.push(c);
  }
  if (empty.length && !opts.allowEmpty) {
    throw new GraftDatasetError(
      dir,
      "empty-class",
      `Cannot build an imageFolder from ${dir}: no image file in class folder${empty.length > 1 ? "s" : ""} ${empty.join(", ")} ` +
        `(extensions ${opts.isValidFile ? "decided by isValidFile" : extensions.join(" ")}); add images, remove the folder, or pass allowEmpty: true`,
      empty[0],
    );
  }
  const transform = opts.transform;
  const decodeOptions = { exifTranspose: opts.exifTranspose ?? false, maxPixels, onError };
  return {
    root: dir,
    classes,
    classToIdx,
    samples,
    get length() {
      return samples.length;
    },
    transform,
    skipped,
    decodeOptions,
    async get(i: number): Promise<Sample> {
      if (!Number.isInteger(i) || i < 0 || i >= samples.length) throw new RangeError(`Cannot get sample ${i}: the folder has ${samples.length} samples (0 … ${samples.length - 1})`);
      const [path, y] = samples[i];
      const img = await readImage(path, decodeOptions);
      const out = runParts(transform?.parts ?? [], img, Math.random);
      const f = out.data instanceof Float32Array ? out : toFloat(out as typeof img);
      return { x: tf.tensor3d(f.data as Float32Array, [f.height, f.width, 3], "float32"), y };
    },
  };
}
