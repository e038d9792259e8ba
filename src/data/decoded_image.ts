/** Decoded pixels: height × width × 3 bytes, rows top to bottom, RGB interleaved. */
export interface DecodedImage {
  data: Uint8Array;
  height: number;
  width: number;
  channels: 3;
}
