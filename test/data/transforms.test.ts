/**
 * transforms against PIL/torchvision: resize equals PIL's Image.resize bit for bit (bilinear,
 * bicubic, nearest; windows of it too); resize(256) → centerCrop(224) → toTensor → normalize
 * equals torchvision's Compose on 60 images of varied sizes and modes (limits: max 0.05, mean
 * 0.005 in normalised units; measured 0); centerCrop rounds ties to even; random transforms are
 * reproducible from their generator; bad arguments are TypeError/RangeError.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { imageFolder, readImage, seededRandom, transforms as T, type DecodedImage } from "../../src/data";
import { resample } from "../../src/data/_resample";
import { dataFixtures, floats, maxAbsDiff } from "./_fixtures";

let root: string;
before(() => {
  root = dataFixtures();
});

const image = (data: Uint8Array, height: number, width: number): DecodedImage => ({ data, height, width, channels: 3 });

test("resize: PIL's Image.resize exactly, for nearest, bilinear and bicubic (30 random shapes, up and down)", () => {
  const cases: number[][] = JSON.parse(fs.readFileSync(path.join(root, "resize", "index.json"), "utf8"));
  cases.forEach(([h, w, oh, ow], i) => {
    const img = image(new Uint8Array(fs.readFileSync(path.join(root, "resize", `case${i}.rgb`))), h, w);
    for (const mode of ["nearest", "bilinear", "bicubic"] as const) {
      const ref = fs.readFileSync(path.join(root, "resize", `case${i}_${mode}.rgb`));
      const out = T.resize([oh, ow], { interpolation: mode })(img) as DecodedImage;
      assert.equal(maxAbsDiff(out.data, ref), 0, `case ${i} ${h}×${w} → ${oh}×${ow} ${mode}`);
      const win = { top: Math.floor(oh / 3), left: Math.floor(ow / 5), height: Math.ceil(oh / 2), width: Math.ceil(ow / 2) };
      const part = resample(img, oh, ow, mode, win);
      for (let y = 0; y < win.height; y++) {
        const row = ref.subarray(((win.top + y) * ow + win.left) * 3, ((win.top + y) * ow + win.left + win.width) * 3);
        assert.equal(maxAbsDiff(part.data.subarray(y * win.width * 3, (y + 1) * win.width * 3), row), 0, `case ${i} ${mode} window row ${y}`);
      }
    }
  });
});

test("resize(256) → centerCrop(224) → toTensor → normalize equals torchvision's Compose on 60 varied images", async () => {
  const folder = imageFolder(path.join(root, "folder"));
  const expected = floats(path.join(root, "pipeline.bin"));
  const t = T.compose([T.resize(256), T.centerCrop(224), T.toTensor(), T.normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]);
  const preset = T.imageClassification({ cropSize: 224 });
  assert.equal(String(t), String(preset));
  assert.ok(folder.length >= 50);
  const size = 224 * 224 * 3;
  let max = 0;
  let sum = 0;
  for (let i = 0; i < folder.length; i++) {
    const img = await readImage(folder.samples[i][0]);
    const x = t(img) as tf.Tensor3D;
    assert.deepEqual(x.shape, [224, 224, 3]);
    const got = x.dataSync();
    const want = expected.subarray(i * size, (i + 1) * size);
    for (let k = 0; k < size; k++) {
      const d = Math.abs(got[k] - want[k]);
      max = Math.max(max, d);
      sum += d;
    }
    x.dispose();
  }
  const mean = sum / (folder.length * size);
  console.log(`vs torchvision on ${folder.length} images: max |diff| ${max}, mean ${mean}`);
  assert.ok(max <= 0.05 && mean <= 0.005, `max ${max}, mean ${mean}`);
  assert.equal(max, 0);
});

test("centerCrop: int(round((H - h) / 2)) with ties to even, zero padding when the crop is larger", () => {
  // 5 rows, crop 2: (5 - 2) / 2 = 1.5 → 2 (even); 7 rows, crop 2: 2.5 → 2; Math.round would give 2 and 3.
  const rows = (h: number): DecodedImage => image(Uint8Array.from({ length: h * 3 }, (_, i) => Math.floor(i / 3)), h, 1);
  assert.deepEqual([...(T.centerCrop([2, 1])(rows(5)) as DecodedImage).data].filter((_, i) => i % 3 === 0), [2, 3]);
  assert.deepEqual([...(T.centerCrop([2, 1])(rows(7)) as DecodedImage).data].filter((_, i) => i % 3 === 0), [2, 3]);
  const padded = T.centerCrop([4, 3])(image(new Uint8Array(3).fill(9), 1, 1)) as DecodedImage;
  // torchvision pads left (3-1)//2 = 1, top (4-1)//2 = 1.
  assert.deepEqual([padded.height, padded.width], [4, 3]);
  assert.deepEqual([...padded.data].map((v, i) => (v ? i / 3 : -1)).filter((v) => v >= 0), [4, 4, 4].map((v, k) => v + k / 3));
});

test("resize keeps torchvision's shorter-side rule: int(size * long / short), unchanged when already that size", () => {
  const img = image(new Uint8Array(333 * 500 * 3), 333, 500);
  const out = T.resize(256)(img) as DecodedImage;
  assert.deepEqual([out.height, out.width], [256, Math.trunc((256 * 500) / 333)]);
  const same = T.resize(333)(img) as DecodedImage;
  assert.deepEqual([same.height, same.width], [333, 500]);
});

test("random transforms: reproducible from their generator, declared by randomParts, valid outputs", () => {
  const img = image(Uint8Array.from({ length: 60 * 80 * 3 }, (_, i) => (i * 7) % 256), 60, 80);
  const aug = T.compose([T.randomResizedCrop(32), T.randomHorizontalFlip(), T.colorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 }), T.toTensor()]);
  assert.deepEqual(aug.randomParts(), ["randomResizedCrop(32)", "randomHorizontalFlip(0.5)", 'colorJitter({ brightness: [0.6, 1.4], contrast: [0.6, 1.4], saturation: [0.6, 1.4], hue: [-0.1, 0.1] })']);
  assert.deepEqual(T.imageClassification({ cropSize: 224 }).randomParts(), []);
  const a = aug(img, seededRandom(5, 1)) as tf.Tensor3D;
  const b = aug(img, seededRandom(5, 1)) as tf.Tensor3D;
  const c = aug(img, seededRandom(5, 2)) as tf.Tensor3D;
  assert.deepEqual(a.shape, [32, 32, 3]);
  assert.equal(maxAbsDiff(a.dataSync(), b.dataSync()), 0);
  assert.ok(maxAbsDiff(a.dataSync(), c.dataSync()) > 0);
  const v = a.dataSync();
  assert.ok(v.every((x) => x >= 0 && x <= 1));
  tf.dispose([a, b, c]);
  const flipped = T.randomHorizontalFlip(1)(img) as DecodedImage;
  assert.deepEqual([...flipped.data.subarray(0, 3)], [...img.data.subarray(79 * 3, 80 * 3)]);
});

test("custom steps run after the built-in ones; a function counts as random unless declared otherwise", () => {
  const seen: string[] = [];
  const t = T.compose([T.resize([4, 4]), (x: T.TransformInput) => (seen.push(x instanceof tf.Tensor ? "tensor" : "image"), x), T.toTensor()]);
  assert.deepEqual(t.randomParts().length, 1);
  const y = t(image(new Uint8Array(8 * 8 * 3).fill(51), 8, 8)) as tf.Tensor3D;
  assert.deepEqual(seen, ["image"]);
  assert.ok(Math.abs(y.dataSync()[0] - 0.2) < 1e-7);
  y.dispose();
  assert.deepEqual(T.compose([T.custom((x) => x, { random: false, name: "same" })]).randomParts(), []);
});

test("bad arguments: TypeError / RangeError with the value", () => {
  assert.throws(() => T.resize(0), RangeError);
  assert.throws(() => T.resize(256, { interpolation: "lanczos" as never }), /interpolation must be one of "bilinear", "bicubic", "nearest", got "lanczos"/);
  assert.throws(() => T.centerCrop([1, 2, 3] as never), RangeError);
  assert.throws(() => T.randomResizedCrop(224, { scale: [1, 0.5] }), /scale must be \[min, max\]/);
  assert.throws(() => T.randomHorizontalFlip(2), RangeError);
  assert.throws(() => T.colorJitter({ hue: 0.7 }), /hue must be/);
  assert.throws(() => T.normalize([0.5, 0.5], [1, 1, 1]), RangeError);
  assert.throws(() => T.normalize([0.5, 0.5, 0.5], [1, 0, 1]), /std non-zero/);
  assert.throws(() => T.imageClassification({ cropSize: 224, crop_size: 1 } as never), /unknown option crop_size/);
  assert.throws(() => T.compose([42 as never]), /Cannot compose step 0/);
  assert.throws(() => T.normalize([0, 0, 0], [1, 1, 1])(image(new Uint8Array(3), 1, 1)), /put toTensor\(\) before normalize/);
  const x = tf.zeros([2, 2, 3]) as tf.Tensor3D;
  assert.throws(() => T.resize(4)(x), /put it before toTensor/);
  x.dispose();
});
