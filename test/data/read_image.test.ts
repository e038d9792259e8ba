/**
 * readImage against PIL: every file of the decode fixtures equals PIL's
 * `Image.open(f).convert("RGB")` (and with exif_transpose) through sharp; the pure-JS fallback
 * equals PIL for PNG/BMP/PPM and stays within a few levels for JPEG (figures printed); bad files
 * give GraftImageError naming the file; 1×1 and 10,000×10,000 images decode correctly.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { GraftImageError, imageDecoder, readImage } from "../../src/data";
import { dataFixtures, maxAbsDiff } from "./_fixtures";

let dir: string;
let index: Record<string, [number, number, string]>;
before(() => {
  dir = path.join(dataFixtures(), "decode");
  index = JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8"));
});

const entries = (): Array<[string, boolean, [number, number, string]]> =>
  Object.entries(index)
    .filter(([k]) => /\.[01]$/.test(k))
    .map(([k, v]) => [k.slice(0, -2), k.endsWith(".1"), v]);

test("sharp is the decoder here, and every mode equals PIL's decode exactly (max |diff| 0)", async () => {
  assert.equal(imageDecoder().decoder, "sharp", imageDecoder().reason);
  const worst: string[] = [];
  for (const [file, transpose, [h, w, mode]] of entries()) {
    const img = await readImage(path.join(dir, file), { exifTranspose: transpose });
    assert.deepEqual([img.height, img.width, img.channels], [h, w, 3], `${file} (${mode}) exifTranspose=${transpose}`);
    const diff = maxAbsDiff(img.data, fs.readFileSync(path.join(dir, `${file}.${transpose ? 1 : 0}.rgb`)));
    if (diff !== 0) worst.push(`${file} (${mode}, exifTranspose ${transpose}): ${diff}`);
  }
  assert.deepEqual(worst, []);
});

test("EXIF orientation is applied only when asked, for all 8 orientations", async () => {
  for (let o = 1; o <= 8; o++) {
    const plain = await readImage(path.join(dir, `exif${o}.jpg`));
    const turned = await readImage(path.join(dir, `exif${o}.jpg`), { exifTranspose: true });
    assert.deepEqual([plain.height, plain.width], [30, 40]);
    assert.deepEqual([turned.height, turned.width], o >= 5 ? [40, 30] : [30, 40], `orientation ${o}`);
  }
});

test("the pure-JS fallback (GRAFT_IMAGE_DECODER=js): PNG/BMP/PPM equal PIL's, JPEG within a few levels, GIF/WebP/TIFF a typed error", () => {
  const script = `
    const fs = require("node:fs"), path = require("node:path");
    const { readImage, imageDecoder } = require(${JSON.stringify(path.resolve(__dirname, "../../src/data"))});
    (async () => {
      const dir = ${JSON.stringify(dir)};
      const index = JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8"));
      const out = { decoder: imageDecoder().decoder, results: {} };
      for (const key of Object.keys(index).filter((k) => k.endsWith(".0"))) {
        const file = key.slice(0, -2);
        try {
          const img = await readImage(path.join(dir, file));
          const ref = fs.readFileSync(path.join(dir, key + ".rgb"));
          let m = 0; for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i] - img.data[i]));
          out.results[file] = img.data.length === ref.length ? m : "shape";
        } catch (e) { out.results[file] = e.name + ": " + e.reason; }
      }
      console.log(JSON.stringify(out));
    })();`;
  const text = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { env: { ...process.env, GRAFT_IMAGE_DECODER: "js" }, encoding: "utf8" });
  const { decoder, results } = JSON.parse(text.trim().split("\n").pop()!);
  assert.equal(decoder, "js");
  console.log("pure-JS decoders, max |diff| vs PIL:", results);
  for (const [file, r] of Object.entries(results as Record<string, number | string>)) {
    if (/\.(gif|webp|tif)$/.test(file)) assert.equal(r, "GraftImageError: unsupported", file);
    else if (/\.jpg$/.test(file)) assert.ok(typeof r === "number" && r <= 40, `${file}: ${r}`);
    else assert.equal(r, 0, file);
  }
});

test("1×1 images decode; a 10,000×10,000 JPEG decodes correctly; a lower maxPixels refuses it first", async () => {
  for (const f of ["one.jpg", "one.png"]) {
    const img = await readImage(path.join(dir, f));
    assert.deepEqual([img.height, img.width], [1, 1]);
    assert.ok(maxAbsDiff(img.data, fs.readFileSync(path.join(dir, `${f}.0.rgb`))) === 0, f);
  }
  const big = (index as unknown as Record<string, { size: number[]; mean: number[] }>)["big.jpg"];
  const img = await readImage(path.join(dir, "big.jpg"));
  assert.deepEqual([img.height, img.width], big.size);
  const sum = [0, 0, 0];
  for (let i = 0; i < img.data.length; i += 3) for (let c = 0; c < 3; c++) sum[c] += img.data[i + c];
  sum.forEach((s, c) => assert.ok(Math.abs(s / (img.data.length / 3) - big.mean[c]) < 1e-9, `channel ${c} mean`));
  await assert.rejects(readImage(path.join(dir, "big.jpg"), { maxPixels: 50_000_000 }), (e: unknown) => {
    assert.ok(e instanceof GraftImageError);
    assert.equal(e.reason, "too-large");
    assert.deepEqual([e.width, e.height], [10000, 10000]);
    assert.match(e.message, /big\.jpg: 10000×10000 = 100000000 pixels exceeds the limit of 50000000; pass maxPixels: 100000000/);
    return true;
  });
});

test("bad files: typed GraftImageError naming the file and what is wrong", async () => {
  const bad = path.join(dataFixtures(), "bad");
  const cases: Array<[string, string, RegExp]> = [
    ["truncated.jpg", "truncated", /truncated/],
    ["truncated.png", "truncated", /truncated|corrupt/],
    ["notes.jpg", "not-an-image", /are not JPEG, PNG/],
    ["empty.png", "not-an-image", /the file is empty/],
    ["missing.jpg", "unreadable", /ENOENT/],
  ];
  for (const [file, reason, text] of cases) {
    await assert.rejects(readImage(path.join(bad, file)), (e: unknown) => {
      assert.ok(e instanceof GraftImageError, `${file}: ${e}`);
      assert.equal(e.file, path.join(bad, file));
      assert.ok(e.reason === reason || (file === "truncated.png" && e.reason === "corrupt"), `${file}: ${e.reason}`);
      assert.match(e.message, new RegExp(`^Cannot read image ${path.join(bad, file).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: `));
      assert.match(e.message, text);
      return true;
    });
  }
  await assert.rejects(readImage(42 as unknown as string), TypeError);
  await assert.rejects(readImage(path.join(bad, "notes.jpg"), { maxPixels: 0 }), RangeError);
});
