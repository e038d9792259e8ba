/**
 * End to end: the same 60 images through torchvision (ImageFolder + Resize/CenterCrop/ToTensor/
 * Normalize + resnet18 in PyTorch) and through graft (imageFolder + imageClassification + loader
 * on worker threads + zoo.resnet18 with the same .pth loaded by loadWeights): the argmax agrees
 * on ≥ 99 % of the images, and the logits agree closely.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { ready, tf } from "../../src/engine/engine";
import { loadWeights } from "../../src/load";
import * as zoo from "../../src/zoo";
import { imageFolder, loader, transforms as T } from "../../src/data";
import { dataFixtures, floats } from "./_fixtures";

let root: string;
before(async () => {
  await ready();
  root = dataFixtures();
});

test("torchvision's resnet18 and graft's agree on the argmax of ≥ 99 % of 60 images, each through its own pipeline", async () => {
  const want = floats(path.join(root, "logits.bin"));
  const model = zoo.resnet18();
  try {
    const report = await loadWeights(model, path.join(root, "resnet18.pth"), { strict: true });
    assert.equal(report.coverage, 1);
    const folder = imageFolder(path.join(root, "folder"), { transform: T.imageClassification({ cropSize: 224 }) });
    const got: number[] = [];
    for await (const { xs } of loader(folder, { batchSize: 10, workers: 2 })) {
      got.push(...(tf.tidy(() => model.predict(xs) as tf.Tensor).dataSync() as Float32Array));
    }
    assert.equal(got.length, want.length);
    const n = want.length / 1000;
    let agree = 0;
    let maxDiff = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      const row = (a: ArrayLike<number>) => Array.from({ length: 1000 }, (_, k) => a[i * 1000 + k]);
      const [g, w] = [row(got), row(want)];
      if (g.indexOf(Math.max(...g)) === w.indexOf(Math.max(...w))) agree++;
      for (let k = 0; k < 1000; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(g[k] - w[k]));
        scale = Math.max(scale, Math.abs(w[k]));
      }
    }
    console.log(`argmax agreement ${agree}/${n}; logits max |diff| ${maxDiff.toExponential(2)} of scale ${scale.toFixed(2)}`);
    assert.ok(agree / n >= 0.99, `${agree}/${n}`);
    assert.ok(maxDiff <= 1e-3 * scale, `logits max |diff| ${maxDiff}`);
  } finally {
    model.dispose();
  }
});
