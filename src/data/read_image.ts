/**
 * `readImage`: one image file → packed RGB pixels, as PIL's `Image.open(path).convert("RGB")`
 * gives them (what torchvision's ImageFolder feeds its transforms), without native TensorFlow.
 * The format comes from the file's bytes; the header is read first, so a file over the pixel
 * limit is refused before anything is allocated for its pixels.
 */
import { readFile } from "node:fs/promises";
import { GraftImageError, type ImageErrorReason } from "./errors";
import { HeaderError, readHeader, sniffFormat, UnsupportedError, type ImageHeader } from "./_header";
import { applyOrientation } from "./_orient";
import { decodeWithSharp, loadSharp } from "./_decode_sharp";
import { decodeWithJs } from "./_decode_js";

import type { DecodedImage } from "./decoded_image";

export type { DecodedImage };

/** Options of {@link readImage}. */
export interface ReadImageOptions {
  /** Apply the EXIF orientation as PIL's `ImageOps.exif_transpose` does (default false, like `Image.open`). */
  exifTranspose?: boolean;
  /** Largest width × height accepted (default {@link DEFAULT_MAX_PIXELS}); larger files throw GraftImageError "too-large". */
  maxPixels?: number;
}

/** PIL's `Image.MAX_IMAGE_PIXELS` (≈ 179 M pixels, 0.5 GiB as RGB): the default pixel limit. */
export const DEFAULT_MAX_PIXELS = 178_956_970;

/** Which decoder {@link readImage} uses here, and why. */
export function imageDecoder(): { decoder: "sharp" | "js"; reason: string } {
  const { sharp, reason } = loadSharp();
  return { decoder: sharp ? "sharp" : "js", reason };
}

function fail(file: string, reason: ImageErrorReason, message: string, header?: ImageHeader, cause?: unknown): GraftImageError {
  return new GraftImageError(file, reason, message, { width: header?.width, height: header?.height, cause });
}

/**
 * The header of an image held in `bytes`, checked against the pixel limit.
 * @param file the name used in errors
 * @param bytes the file's bytes (its start suffices for JPEG/PNG/GIF/WebP/BMP/PPM sizes)
 * @param maxPixels the pixel limit
 * @returns format, size and EXIF orientation
 */
export function checkHeader(file: string, bytes: Uint8Array, maxPixels: number = DEFAULT_MAX_PIXELS): ImageHeader {
  const format = sniffFormat(bytes);
  if (!format) {
    const start = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const what = bytes.length === 0 ? "the file is empty" : `its first bytes (${start}) are not JPEG, PNG, GIF, WebP, BMP, PPM/PGM or TIFF`;
    throw fail(file, "not-an-image", `${what}; remove it from the folder or pass onError: "skip"`);
  }
  let header: ImageHeader;
  try {
    header = readHeader(bytes, format);
  } catch (err) {
    if (!(err instanceof HeaderError)) throw err;
    throw fail(file, /truncated/.test(err.message) ? "truncated" : "corrupt", `${err.message}; re-export the file or pass onError: "skip"`, undefined, err);
  }
  if (header.width * header.height > maxPixels) {
    throw fail(
      file,
      "too-large",
      `${header.width}×${header.height} = ${header.width * header.height} pixels exceeds the limit of ${maxPixels}; ` +
        `pass maxPixels: ${header.width * header.height} (or more) if the file is trusted`,
      header,
    );
  }
  return header;
}

/**
 * Decodes an image file to RGB, equal to PIL's `Image.open(path).convert("RGB")`: grayscale
 * replicated, alpha dropped, palettes applied, CMYK by PIL's formula, 16-bit by PIL's rules,
 * GIF's first frame. With sharp (the default where it loads) JPEG and PNG pixels equal PIL's
 * exactly; see {@link imageDecoder}.
 * @param path the image file
 * @param opts `exifTranspose` to apply EXIF orientation, `maxPixels` to change the size limit
 * @returns `{ data, height, width, channels: 3 }`
 * @throws GraftImageError naming the file: unreadable, not an image, corrupt, truncated, too large
 * @example
 * ```ts
 * const img = await graft.data.readImage("photos/cat/001.jpg", { exifTranspose: true });
 * console.log(img.height, img.width, img.data.length === img.height * img.width * 3); // … true
 * ```
 */
export async function readImage(path: string, opts: ReadImageOptions = {}): Promise<DecodedImage> {
  if (typeof path !== "string") throw new TypeError(`Cannot read an image: path must be a string, got ${typeof path}`);
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(maxPixels > 0)) throw new RangeError(`Cannot read an image: maxPixels must be > 0, got ${maxPixels}`);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw fail(path, "unreadable", `${(err as Error).message}; check the path`, undefined, err);
  }
  return decodeBytes(path, bytes, opts.exifTranspose ?? false, maxPixels);
}

/**
 * Decodes image bytes already in memory (what {@link readImage} does after reading the file).
 * @param file the name used in errors
 * @param bytes the whole file
 * @param exifTranspose apply the EXIF orientation
 * @param maxPixels the pixel limit
 * @returns the RGB pixels
 */
export async function decodeBytes(file: string, bytes: Uint8Array, exifTranspose: boolean, maxPixels: number = DEFAULT_MAX_PIXELS): Promise<DecodedImage> {
  const header = checkHeader(file, bytes, maxPixels);
  const { sharp } = loadSharp();
  let img: DecodedImage;
  try {
    const viaJs = !sharp || header.format === "bmp" || header.format === "pnm";
    img = viaJs ? decodeWithJs(bytes, header, maxPixels) : await decodeWithSharp(sharp!, bytes, header, maxPixels);
  } catch (err) {
    if (err instanceof UnsupportedError) throw fail(file, "unsupported", `${err.message}`, header, err);
    const text = (err as Error).message?.split("\n")[0] ?? String(err);
    const truncated = /premature end|truncat|unexpected end|end of (?:data|stream|file)|not enough|out of bounds|offset is outside/i.test(text);
    throw fail(file, truncated ? "truncated" : "corrupt", `the ${header.format.toUpperCase()} data is ${truncated ? "truncated" : "corrupt"} (${text}); re-export the file or pass onError: "skip"`, header, err);
  }
  if (img.width * img.height === 0) throw fail(file, "corrupt", "the decoder returned no pixels", header);
  return exifTranspose && header.orientation !== 1 ? applyOrientation(img, header.orientation) : img;
}
