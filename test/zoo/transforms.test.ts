import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as graft from "../../src/index";
import { tf } from "../../src/index";
import { photoFolder } from "../train/_photos";

const root = photoFolder({ perClass: 2, size: 280, seed: 4, classes: ["a", "b"] });
after(() => fs.rmSync(root, { recursive: true, force: true }));

const ARCHS = {
  resnet18: "ResNet18_Weights", resnet34: "ResNet34_Weights", resnet50: "ResNet50_Weights",
  mobilenetV2: "MobileNet_V2_Weights", vgg11: "VGG11_Weights", vgg16: "VGG16_Weights",
} as const;

/** torchvision's weights.transforms() of every weights enum member, applied to `files` (CHW → HWC float32). */
function torchvision(files: string[], out: string): Record<string, Record<string, { crop: number; resize: number; files: string[] }>> {
  const script = `
import json, sys, numpy as np, torchvision.models as m
from PIL import Image
files, out, archs = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
res = {}
for arch, enum in archs.items():
    res[arch] = {}
    for w in list(getattr(m, enum)) + ["DEFAULT"]:
        weights = getattr(m, enum).DEFAULT if w == "DEFAULT" else w
        t = weights.transforms()
        paths = []
        for i, f in enumerate(files):
            x = t(Image.open(f).convert("RGB")).permute(1, 2, 0).numpy().astype("<f4")
            p = f"{out}/{arch}-{w if isinstance(w, str) else w.name}-{i}.f32"
            x.tofile(p); paths.append(p)
        res[arch][w if isinstance(w, str) else w.name] = dict(crop=t.crop_size[0], resize=t.resize_size[0], files=paths)
print(json.dumps(res))
`;
  return JSON.parse(execFileSync("/usr/bin/python3", ["-W", "ignore", "-c", script, JSON.stringify(files), out, JSON.stringify(ARCHS)], { encoding: "utf8" }));
}

test("zoo.<arch>.transforms() equals torchvision's weights.transforms() for every architecture and weights (DEFAULT included)", async () => {
  await graft.ready();
  const files = graft.data.imageFolder(path.join(root, "train")).samples.map(([f]) => f);
  const ref = torchvision(files, root);
  for (const [arch, table] of Object.entries(ref)) {
    const builder = (graft.zoo as unknown as Record<string, { transforms(o?: { weights: string }): graft.data.Transform }>)[arch];
    for (const [weights, r] of Object.entries(table)) {
      const t = builder.transforms(weights === "DEFAULT" ? undefined : { weights });
      assert.match(String(t), new RegExp(`resize\\(${r.resize}.*centerCrop\\(${r.crop}\\)`), `${arch} ${weights}: ${String(t)}`);
      assert.deepEqual(t.randomParts(), []);
      for (let i = 0; i < files.length; i++) {
        const ours = (t(await graft.data.readImage(files[i])) as tf.Tensor3D);
        assert.deepEqual(ours.shape, [r.crop, r.crop, 3]);
        const theirs = new Float32Array(fs.readFileSync(r.files[i]).buffer.slice(0));
        const a = ours.dataSync();
        let max = 0, sum = 0;
        for (let j = 0; j < a.length; j++) { const d = Math.abs(a[j] - theirs[j]); max = Math.max(max, d); sum += d; }
        ours.dispose();
        // The Caffe preset's std of 1/255 scales units by 255: compare in units of one gray level there.
        const scale = weights === "IMAGENET1K_FEATURES" ? 255 : 1;
        assert.ok(max / scale <= 0.05 && sum / a.length / scale <= 0.005, `${arch} ${weights} image ${i}: max ${max}, mean ${sum / a.length}`);
      }
    }
  }
  assert.equal(String(graft.zoo.resnet50.transforms()), String(graft.zoo.resnet50.transforms({ weights: "IMAGENET1K_V2" })));
});

test("zoo transforms: unknown weights or options are errors listing what exists", () => {
  assert.throws(() => graft.zoo.resnet18.transforms({ weights: "IMAGENET1K_V2" }), (e: Error) => e instanceof RangeError && /no entry "IMAGENET1K_V2".*entries: DEFAULT, IMAGENET1K_V1/.test(e.message));
  assert.throws(() => graft.zoo.vgg16.transforms({ crop: 1 } as never), /unknown option crop; known: weights/);
});
