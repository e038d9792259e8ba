/**
 * Private: the pure-JS decoders, used where sharp does not load (or GRAFT_IMAGE_DECODER=js):
 * jpeg-js for JPEG, pngjs for PNG, and graft's own readers for binary PPM/PGM and BMP (which
 * sharp does not read either). PNG matches PIL exactly, 16-bit included (high byte, or
 * PIL's clip for 16-bit gray); jpeg-js's IDCT and chroma upsampling are not libjpeg's, so its
 * JPEG pixels differ from PIL's by a few levels (figures in the README). GIF, WebP and TIFF
 * need sharp.
 */
import * as jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { UnsupportedError, type ImageHeader } from "./_header";
import type { DecodedImage } from "./decoded_image";
import { decodeBmp, decodePnm } from "./_decode_raster";

function decodeJpeg(bytes: Uint8Array, maxPixels: number): DecodedImage {
  const r = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: false,
    maxResolutionInMP: maxPixels / 1e6,
    maxMemoryUsageInMB: Math.max(512, (maxPixels * 8) / 2 ** 20),
  });
  const n = r.width * r.height;
  const c = r.data.length / n;
  if (c === 3) return { data: r.data, height: r.height, width: r.width, channels: 3 };
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) out[i * 3 + k] = r.data[i * c + (c >= 3 ? k : 0)];
  return { data: out, height: r.height, width: r.width, channels: 3 };
}

function decodePng(bytes: Uint8Array, header: ImageHeader): DecodedImage {
  const wide = header.bitDepth === 16;
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), { skipRescale: wide });
  const src = png.data as unknown as ArrayLike<number>;
  const n = png.width * png.height;
  const out = new Uint8Array(n * 3);
  // PIL: 16-bit gray opens as mode "I" (clipped to 255 by convert("RGB")); other 16-bit modes keep the high byte.
  const gray16 = wide && header.colorType === 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const v = src[i * 4 + k];
      out[i * 3 + k] = gray16 ? Math.min(v, 255) : wide ? v >> 8 : v;
    }
  }
  return { data: out, height: png.height, width: png.width, channels: 3 };
}

/** Decodes `bytes` with the pure-JS decoders; throws plain errors for the caller to wrap. */
export function decodeWithJs(bytes: Uint8Array, header: ImageHeader, maxPixels: number): DecodedImage {
  switch (header.format) {
    case "jpeg":
      return decodeJpeg(bytes, maxPixels);
    case "png":
      return decodePng(bytes, header);
    case "pnm":
      return decodePnm(bytes);
    case "bmp":
      return decodeBmp(bytes);
    default:
      throw new UnsupportedError(`${header.format.toUpperCase()} needs the sharp decoder, which is not loaded here`);
  }
}
