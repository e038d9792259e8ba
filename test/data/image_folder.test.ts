/**
 * imageFolder against torchvision's ImageFolder on the same folder (classes, class_to_idx,
 * samples in order, extensions case-insensitive, other files ignored), and its errors: missing
 * root, no class folder, an empty class (unless allowEmpty), a non-image file (onError "throw"
 * names it, "skip" leaves it out and the rest loads).
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GraftDatasetError, GraftImageError, imageFolder, transforms as T } from "../../src/data";
import { dataFixtures } from "./_fixtures";

let root: string;
before(() => {
  root = dataFixtures();
});

function tempFolder(layout: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-folder-"));
  for (const [rel, content] of Object.entries(layout)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    if (rel.endsWith("/")) continue;
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

test("classes, classToIdx and samples equal torchvision's ImageFolder", async () => {
  const want = JSON.parse(fs.readFileSync(path.join(root, "folder.json"), "utf8"));
  const folder = imageFolder(path.join(root, "folder"), { transform: T.imageClassification({ cropSize: 224 }) });
  assert.deepEqual(folder.classes, want.classes);
  assert.deepEqual(folder.classToIdx, want.class_to_idx);
  assert.deepEqual(folder.samples.map(([p, y]) => [path.relative(path.join(root, "folder"), p), y]), want.samples);
  assert.equal(folder.length, want.samples.length);
  const { x, y } = await folder.get(3);
  assert.deepEqual(x.shape, [224, 224, 3]);
  assert.equal(y, want.samples[3][1]);
  x.dispose();
  await assert.rejects(folder.get(folder.length), RangeError);
});

test("without a transform get() gives the image as float [0, 1]", async () => {
  const folder = imageFolder(path.join(root, "folder"));
  const { x } = await folder.get(0);
  assert.equal(x.shape[2], 3);
  const v = x.dataSync();
  assert.ok(v.every((a) => a >= 0 && a <= 1));
  x.dispose();
});

test("missing root, no class folder, empty class: GraftDatasetError naming the folder and the fix", () => {
  assert.throws(() => imageFolder("/nonexistent/photos"), (e: unknown) => e instanceof GraftDatasetError && e.reason === "missing-root" && /no such folder/.test(e.message));
  const flat = tempFolder({ "a.jpg": fs.readFileSync(path.join(root, "decode", "one.jpg")) });
  assert.throws(() => imageFolder(flat), (e: unknown) => e instanceof GraftDatasetError && e.reason === "no-classes");
  const empty = tempFolder({ "cat/1.jpg": fs.readFileSync(path.join(root, "decode", "one.jpg")), "dog/": "", "dog/readme.txt": "x" });
  assert.throws(
    () => imageFolder(empty),
    (e: unknown) => e instanceof GraftDatasetError && e.reason === "empty-class" && e.className === "dog" && /allowEmpty: true/.test(e.message),
  );
  const ok = imageFolder(empty, { allowEmpty: true });
  assert.deepEqual([ok.classes, ok.length], [["cat", "dog"], 1]);
  const onlyPng = imageFolder(empty, { allowEmpty: true, extensions: [".png"] });
  assert.equal(onlyPng.length, 0);
  const custom = imageFolder(empty, { isValidFile: (p) => p.endsWith("1.jpg"), allowEmpty: true });
  assert.deepEqual(custom.samples, [[path.join(empty, "cat", "1.jpg"), 0]]);
  assert.throws(() => imageFolder(empty, { extensions: [".jpg"], isValidFile: () => true }), TypeError);
  assert.throws(() => imageFolder(empty, { onError: "ignore" as never }), TypeError);
});

test("a non-image file: onError 'throw' names it at construction; 'skip' leaves it out and the rest loads", async () => {
  const good = fs.readFileSync(path.join(root, "decode", "base420.jpg"));
  const dir = tempFolder({ "a/1.jpg": good, "a/2.jpg": "this is text", "b/3.jpg": good, "b/4.jpg": fs.readFileSync(path.join(root, "bad", "truncated.jpg")) });
  assert.throws(() => imageFolder(dir), (e: unknown) => e instanceof GraftImageError && e.file === path.join(dir, "a", "2.jpg") && e.reason === "not-an-image");
  const folder = imageFolder(dir, { onError: "skip" });
  assert.equal(folder.length, 3);
  assert.deepEqual(folder.skipped.map((s) => s.file), [path.join(dir, "a", "2.jpg")]);
  // The truncated file is found when read: get() throws a typed error naming it.
  await assert.rejects(folder.get(2), (e: unknown) => e instanceof GraftImageError && e.file === path.join(dir, "b", "4.jpg") && e.reason === "truncated");
  const { x } = await folder.get(1);
  x.dispose();
});
