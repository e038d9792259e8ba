/**
 * Private: what an image file says about itself before any pixel is decoded — its format (by
 * magic bytes, never by file name), its size, and the EXIF orientation — read from the bytes
 * with bounds checks, so the pixel limit is applied before a decoder allocates anything.
 * Formats: JPEG (markers up to SOS; SOF gives size, components, progressive), PNG (IHDR; eXIf
 * anywhere), GIF (logical screen), WebP (VP8 / VP8L / VP8X, EXIF chunk), BMP, binary PPM/PGM
 * (P5/P6), TIFF (IFD0).
 */

export type ImageFormat = "jpeg" | "png" | "gif" | "webp" | "bmp" | "pnm" | "tiff";

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /** EXIF orientation 1–8 (1 when absent). */
  orientation: number;
  /** JPEG: number of components (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK). */
  components?: number;
  progressive?: boolean;
  /** PNG: IHDR bit depth and colour type. */
  bitDepth?: number;
  colorType?: number;
}

/** A header that is present but malformed; read_image turns it into a GraftImageError. */
export class HeaderError extends Error {}

/** A format or variant a decoder cannot read (as opposed to a broken file). */
export class UnsupportedError extends Error {}

/** The format the magic bytes announce, or undefined for anything else. */
export function sniffFormat(b: Uint8Array): ImageFormat | undefined {
  const at = (i: number, s: string): boolean => [...s].every((c, k) => b[i + k] === c.charCodeAt(0));
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 8 && b[0] === 0x89 && at(1, "PNG\r\n\x1a\n")) return "png";
  if (at(0, "GIF87a") || at(0, "GIF89a")) return "gif";
  if (at(0, "RIFF") && at(8, "WEBP")) return "webp";
  if (at(0, "BM") && b.length >= 26) return "bmp";
  if (b[0] === 0x50 && (b[1] === 0x35 || b[1] === 0x36) && /\s/.test(String.fromCharCode(b[2] ?? 0))) return "pnm";
  if (at(0, "II*\0") || at(0, "MM\0*")) return "tiff";
  return undefined;
}

function need(b: Uint8Array, end: number, what: string): void {
  if (end > b.length) throw new HeaderError(`the ${what} ends at byte ${b.length}, before its end at ${end} (truncated)`);
}

const u16be = (b: Uint8Array, i: number): number => (b[i] << 8) | b[i + 1];
const u32be = (b: Uint8Array, i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const u16le = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);
const u32le = (b: Uint8Array, i: number): number => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

/**
 * Reads a TIFF structure (EXIF payload or a TIFF file) at `base`: IFD0's tags asked for, as
 * numbers (first value). Bad offsets yield no tags rather than an error: EXIF is optional.
 */
export function tiffTags(b: Uint8Array, base: number, end: number, tags: number[]): Map<number, number> {
  const out = new Map<number, number>();
  if (base + 8 > end) return out;
  const le = b[base] === 0x49;
  const r16 = (i: number): number => (le ? u16le(b, i) : u16be(b, i));
  const r32 = (i: number): number => (le ? u32le(b, i) : u32be(b, i));
  const ifd = base + r32(base + 4);
  if (ifd + 2 > end) return out;
  const count = r16(ifd);
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > end) break;
    const tag = r16(e);
    if (!tags.includes(tag)) continue;
    const type = r16(e + 2);
    out.set(tag, type === 3 ? r16(e + 8) : type === 4 ? r32(e + 8) : type === 1 ? b[e + 8] : NaN);
  }
  return out;
}

function orientationFromExif(b: Uint8Array, start: number, end: number): number {
  const o = tiffTags(b, start, end, [0x0112]).get(0x0112);
  return o !== undefined && o >= 1 && o <= 8 ? o : 1;
}

function jpegHeader(b: Uint8Array): ImageHeader {
  let i = 2;
  let orientation = 1;
  let exifSeen = false;
  for (;;) {
    need(b, i + 4, "JPEG header");
    if (b[i] !== 0xff) throw new HeaderError(`expected a JPEG marker at byte ${i}, found 0x${b[i].toString(16)} (corrupt)`);
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; }
    const len = u16be(b, i + 2);
    need(b, i + 2 + len, "JPEG header");
    const seg = i + 4;
    if (marker === 0xe1 && !exifSeen && len >= 8 && String.fromCharCode(...b.subarray(seg, seg + 4)) === "Exif") {
      exifSeen = true;
      orientation = orientationFromExif(b, seg + 6, i + 2 + len);
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      const height = u16be(b, seg + 1);
      const width = u16be(b, seg + 3);
      const components = b[seg + 5];
      if (width === 0 || height === 0) throw new HeaderError(`the JPEG frame header says ${width}×${height} pixels (corrupt)`);
      return { format: "jpeg", width, height, orientation, components, progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce };
    }
    if (marker === 0xda || marker === 0xd9) throw new HeaderError("the JPEG has no frame header before its scan data (corrupt)");
    i += 2 + len;
  }
}

function pngHeader(b: Uint8Array): ImageHeader {
  need(b, 33, "PNG header");
  if (String.fromCharCode(...b.subarray(12, 16)) !== "IHDR") throw new HeaderError("the PNG does not start with an IHDR chunk (corrupt)");
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  if (width === 0 || height === 0) throw new HeaderError(`the PNG header says ${width}×${height} pixels (corrupt)`);
  let orientation = 1;
  for (let i = 8; i + 12 <= b.length; ) {
    const len = u32be(b, i);
    const type = String.fromCharCode(...b.subarray(i + 4, i + 8));
    if (type === "eXIf" && i + 8 + len <= b.length) orientation = orientationFromExif(b, i + 8, i + 8 + len);
    if (type === "IEND") break;
    i += 12 + len;
  }
  return { format: "png", width, height, orientation, bitDepth: b[24], colorType: b[25] };
}

function webpHeader(b: Uint8Array): ImageHeader {
  need(b, 30, "WebP header");
  const kind = String.fromCharCode(...b.subarray(12, 16));
  let width: number;
  let height: number;
  let orientation = 1;
  if (kind === "VP8 ") {
    width = u16le(b, 26) & 0x3fff;
    height = u16le(b, 28) & 0x3fff;
  } else if (kind === "VP8L") {
    const bits = u32le(b, 21);
    width = (bits & 0x3fff) + 1;
    height = ((bits >> 14) & 0x3fff) + 1;
  } else if (kind === "VP8X") {
    width = (b[24] | (b[25] << 8) | (b[26] << 16)) + 1;
    height = (b[27] | (b[28] << 8) | (b[29] << 16)) + 1;
    for (let i = 12; i + 8 <= b.length; ) {
      const len = u32le(b, i + 4);
      if (String.fromCharCode(...b.subarray(i, i + 4)) === "EXIF" && i + 8 + len <= b.length) {
        const s = b[i + 8] === 0x45 ? i + 14 : i + 8; // some writers keep the "Exif\0\0" prefix
        orientation = orientationFromExif(b, s, i + 8 + len);
      }
      i += 8 + len + (len & 1);
    }
  } else {
    throw new HeaderError(`unknown WebP chunk "${kind}" (corrupt)`);
  }
  return { format: "webp", width, height, orientation };
}

function pnmHeader(b: Uint8Array): ImageHeader {
  const text = String.fromCharCode(...b.subarray(0, Math.min(b.length, 512)));
  const m = /^P[56](?:\s+(?:#[^\n]*\n\s*)*)(\d+)(?:\s+(?:#[^\n]*\n\s*)*)(\d+)(?:\s+(?:#[^\n]*\n\s*)*)(\d+)\s/.exec(text);
  if (!m) throw new HeaderError("the PPM/PGM header is not P5/P6 width height maxval (corrupt)");
  return { format: "pnm", width: Number(m[1]), height: Number(m[2]), orientation: 1 };
}

/** Reads the header of a file whose format {@link sniffFormat} recognised. */
export function readHeader(b: Uint8Array, format: ImageFormat): ImageHeader {
  switch (format) {
    case "jpeg":
      return jpegHeader(b);
    case "png":
      return pngHeader(b);
    case "gif":
      need(b, 10, "GIF header");
      return { format, width: u16le(b, 6), height: u16le(b, 8), orientation: 1 };
    case "webp":
      return webpHeader(b);
    case "bmp": {
      const h = u32le(b, 22) | 0;
      return { format, width: u32le(b, 18) | 0, height: Math.abs(h), orientation: 1 };
    }
    case "pnm":
      return pnmHeader(b);
    case "tiff": {
      const t = tiffTags(b, 0, b.length, [256, 257, 0x0112]);
      const o = t.get(0x0112);
      return { format, width: t.get(256) ?? 0, height: t.get(257) ?? 0, orientation: o !== undefined && o >= 1 && o <= 8 ? o : 1 };
    }
  }
}
