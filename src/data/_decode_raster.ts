/**
 * Private: readers for the two uncompressed formats torchvision's ImageFolder lists and sharp
 * does not read — binary PPM/PGM (P6/P5, maxval ≤ 255 read as is, larger ones by high byte)
 * and BMP (uncompressed 24/32-bit and 1/4/8-bit palette, bottom-up or top-down). Exact by
 * construction: no arithmetic on the pixels.
 */
import type { DecodedImage } from "./decoded_image";
import { UnsupportedError } from "./_header";

/** A binary PPM (P6) or PGM (P5). */
export function decodePnm(b: Uint8Array): DecodedImage {
  let i = 2;
  const fields: number[] = [];
  while (fields.length < 3) {
    while (i < b.length && (b[i] === 0x23 || /\s/.test(String.fromCharCode(b[i])))) {
      if (b[i] === 0x23) while (i < b.length && b[i] !== 0x0a) i++;
      else i++;
    }
    let s = i;
    while (i < b.length && b[i] >= 0x30 && b[i] <= 0x39) i++;
    if (s === i) throw new Error("the PPM/PGM header is malformed");
    fields.push(Number(String.fromCharCode(...b.subarray(s, i))));
  }
  i++; // the single whitespace byte after maxval
  const [width, height, maxval] = fields;
  const gray = b[1] === 0x35;
  const bytesPer = maxval > 255 ? 2 : 1;
  const n = width * height;
  const need = n * (gray ? 1 : 3) * bytesPer;
  if (i + need > b.length) throw new Error(`the pixel data ends at byte ${b.length}, expected ${i + need} (truncated)`);
  const out = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < 3; k++) {
      const at = i + (p * (gray ? 1 : 3) + (gray ? 0 : k)) * bytesPer;
      out[p * 3 + k] = b[at];
    }
  }
  return { data: out, height, width, channels: 3 };
}

/** An uncompressed BMP. */
export function decodeBmp(b: Uint8Array): DecodedImage {
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const dataAt = dv.getUint32(10, true);
  const dib = dv.getUint32(14, true);
  const width = dv.getInt32(18, true);
  const rawHeight = dv.getInt32(22, true);
  const bpp = dv.getUint16(28, true);
  const compression = dib >= 40 ? dv.getUint32(30, true) : 0;
  if (compression !== 0 && !(compression === 3 && bpp === 32)) throw new UnsupportedError(`BMP compression ${compression} is not supported; re-save the file as PNG`);
  if (![1, 4, 8, 24, 32].includes(bpp)) throw new UnsupportedError(`BMP with ${bpp} bits per pixel is not supported; re-save the file as PNG`);
  const height = Math.abs(rawHeight);
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataAt + stride * height > b.length) throw new Error(`the pixel data ends at byte ${b.length}, expected ${dataAt + stride * height} (truncated)`);
  const paletteAt = 14 + dib;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataAt + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      let s: number;
      if (bpp >= 24) s = row + x * (bpp / 8);
      else {
        const bit = x * bpp;
        const idx = (b[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        s = paletteAt + idx * 4;
      }
      const d = (y * width + x) * 3;
      out[d] = b[s + 2];
      out[d + 1] = b[s + 1];
      out[d + 2] = b[s];
    }
  }
  return { data: out, height, width, channels: 3 };
}
