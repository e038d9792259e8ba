/**
 * Private: EXIF orientation applied as PIL's `ImageOps.exif_transpose` does — orientation 2
 * FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270, 7 TRANSVERSE,
 * 8 ROTATE_90 (PIL's rotations are counter-clockwise) — on an HWC RGB buffer.
 */
import type { DecodedImage } from "./decoded_image";

/** Source pixel (row, column) for output pixel (y, x), per orientation; h, w are the input's. */
const SOURCE: Record<number, (y: number, x: number, h: number, w: number) => [number, number]> = {
  2: (y, x, _h, w) => [y, w - 1 - x],
  3: (y, x, h, w) => [h - 1 - y, w - 1 - x],
  4: (y, x, h) => [h - 1 - y, x],
  5: (y, x) => [x, y],
  6: (y, x, h) => [h - 1 - x, y],
  7: (y, x, h, w) => [h - 1 - x, w - 1 - y],
  8: (y, x, _h, w) => [x, w - 1 - y],
};

/** The image as PIL's exif_transpose would leave it for EXIF orientation `o` (1–8). */
export function applyOrientation(img: DecodedImage, o: number): DecodedImage {
  const source = SOURCE[o];
  if (!source) return img;
  const { height: h, width: w, data } = img;
  const swap = o >= 5;
  const oh = swap ? w : h;
  const ow = swap ? h : w;
  const out = new Uint8Array(oh * ow * 3);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const [sy, sx] = source(y, x, h, w);
      const s = (sy * w + sx) * 3;
      const d = (y * ow + x) * 3;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { data: out, height: oh, width: ow, channels: 3 };
}
