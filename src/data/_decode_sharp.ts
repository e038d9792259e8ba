/**
 * Private: decoding through sharp (libvips with libjpeg-turbo/mozjpeg, libpng, libwebp, cgif,
 * libtiff; prebuilt inside its npm packages). Its plain 8-bit output equals PIL's
 * `.convert("RGB")` pixel for pixel except for two modes PIL converts its own way, done here
 * from the raw bands: CMYK JPEGs (PIL's cmyk2rgb, no ICC transform) and 16-bit grayscale PNGs
 * (PIL opens them as mode "I" and clips to 0–255 on conversion).
 */
import type { ImageHeader } from "./_header";
import type { DecodedImage } from "./decoded_image";

interface SharpInfo { width: number; height: number; channels: number }
interface SharpPipeline {
  raw(opts?: { depth?: "uchar" | "ushort" }): SharpPipeline;
  pipelineColourspace(space: string): SharpPipeline;
  toColourspace(space: string): SharpPipeline;
  toBuffer(opts: { resolveWithObject: true }): Promise<{ data: Buffer; info: SharpInfo }>;
}
type SharpFn = ((input: Uint8Array, opts: Record<string, unknown>) => SharpPipeline) & { versions?: Record<string, string> };

let loaded: { sharp?: SharpFn; reason: string } | undefined;

/** sharp when it loads on this platform (and GRAFT_IMAGE_DECODER is not "js"), and why not otherwise. */
export function loadSharp(): { sharp?: SharpFn; reason: string } {
  if (loaded) return loaded;
  if (process.env.GRAFT_IMAGE_DECODER === "js") return (loaded = { reason: "GRAFT_IMAGE_DECODER=js asked for the pure-JS decoders" });
  try {
    const sharp = require("sharp") as SharpFn;
    loaded = { sharp, reason: `sharp ${sharp.versions?.sharp ?? "?"} (libvips ${sharp.versions?.vips ?? "?"}) loaded` };
  } catch (err) {
    loaded = { reason: `sharp did not load (${(err as Error).message.split("\n")[0]}); using the pure-JS decoders` };
  }
  return loaded;
}

/** Bands (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) → packed RGB, alpha dropped as PIL's convert("RGB") does. */
function toRgb(src: Uint8Array, n: number, channels: number): Uint8Array {
  if (channels === 3) return src.length === n * 3 ? new Uint8Array(src.buffer, src.byteOffset, n * 3) : src.slice(0, n * 3);
  const out = new Uint8Array(n * 3);
  if (channels <= 2) {
    for (let i = 0, s = 0, d = 0; i < n; i++, s += channels, d += 3) out[d] = out[d + 1] = out[d + 2] = src[s];
  } else {
    for (let i = 0, s = 0, d = 0; i < n; i++, s += channels, d += 3) {
      out[d] = src[s];
      out[d + 1] = src[s + 1];
      out[d + 2] = src[s + 2];
    }
  }
  return out;
}

/** PIL's cmyk2rgb: nk = 255 − K; channel = nk − MULDIV255(C, nk). */
function cmykToRgb(src: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const nk = 255 - src[i * 4 + 3];
    for (let k = 0; k < 3; k++) {
      const t = src[i * 4 + k] * nk + 128;
      out[i * 3 + k] = nk - (((t >> 8) + t) >> 8);
    }
  }
  return out;
}

/** Decodes `bytes` (header already read and checked against the pixel limit). */
export async function decodeWithSharp(sharp: SharpFn, bytes: Uint8Array, header: ImageHeader, maxPixels: number): Promise<DecodedImage> {
  const base = (): SharpPipeline => sharp(bytes, { limitInputPixels: Math.max(1, Math.floor(maxPixels)), failOn: "warning", sequentialRead: true });
  if (header.format === "jpeg" && header.components === 4) {
    const { data, info } = await base().pipelineColourspace("cmyk").toColourspace("cmyk").raw().toBuffer({ resolveWithObject: true });
    return { data: cmykToRgb(data, info.width * info.height), height: info.height, width: info.width, channels: 3 };
  }
  if (header.format === "png" && header.bitDepth === 16 && header.colorType === 0) {
    const { data, info } = await base().toColourspace("grey16").raw({ depth: "ushort" }).toBuffer({ resolveWithObject: true });
    const v = new Uint16Array(data.buffer, data.byteOffset, data.length >> 1);
    const n = info.width * info.height;
    const out = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = Math.min(v[i * info.channels], 255);
    return { data: out, height: info.height, width: info.width, channels: 3 };
  }
  const { data, info } = await base().raw().toBuffer({ resolveWithObject: true });
  return { data: toRgb(data, info.width * info.height, info.channels), height: info.height, width: info.width, channels: 3 };
}
