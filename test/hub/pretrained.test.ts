/**
 * Weights by name: the registry mirrors torchvision's enums, and `zoo.resnet18({ weights })`
 * builds and loads from PyTorch's cache — here a temporary TORCH_HOME holding a state dict written
 * by real torchvision under the registry's file name — with no request to the (counting) mirror.
 * A URL given to loadWeights goes through the same cache.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ready, tf } from "../../src/engine/engine";
import { hubCacheDir, IMAGENET_CATEGORIES, listWeights, weightsArchitectures, weightsEntry } from "../../src/hub";
import { loadWeights } from "../../src/load";
import * as zoo from "../../src/zoo";
import { startServer, type TestServer } from "./_server";

let server: TestServer;
let home = "";
const saved = { TORCH_HOME: process.env.TORCH_HOME, GRAFT_HUB_MIRROR: process.env.GRAFT_HUB_MIRROR };

before(async () => {
  await ready();
  server = await startServer();
  home = fs.mkdtempSync(path.join(os.tmpdir(), "graft-torch-home-"));
  process.env.TORCH_HOME = home;
  process.env.GRAFT_HUB_MIRROR = `${server.base}mirror/`;
  fs.mkdirSync(hubCacheDir(), { recursive: true });
  // What a PyTorch user's cache holds after torchvision.models.resnet18(weights="DEFAULT") — random weights here.
  execFileSync("/usr/bin/python3", ["-c", `
import sys, torch, torchvision
torch.manual_seed(int(sys.argv[2]))
torch.save(torchvision.models.resnet18().state_dict(), sys.argv[1])
`, path.join(hubCacheDir(), "resnet18-f37072fd.pth"), String(Math.floor(Math.random() * 1e6))]);
});
after(async () => {
  await server.close();
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  fs.rmSync(home, { recursive: true, force: true });
});

test("the registry mirrors torchvision 0.14's enums for every zoo architecture", () => {
  for (const arch of ["resnet18", "resnet34", "resnet50", "mobilenet_v2", "vgg11", "vgg16", "efficientnet_b0", "mobilenet_v3_large", "mobilenet_v3_small", "convnext_tiny", "densenet121", "vit_b_16"]) {
    assert.ok(weightsArchitectures().includes(arch), arch);
    const table = listWeights(arch);
    assert.ok(table.entries.some((e) => e.name === table.default));
    for (const e of table.entries) assert.match(e.url, /^https:\/\/download\.pytorch\.org\/models\/.+-[0-9a-f]{8,}\.pth$/);
  }
  const r50 = weightsEntry("resnet50", "DEFAULT");
  assert.deepEqual([r50.name, r50.url, r50.numParams], ["IMAGENET1K_V2", "https://download.pytorch.org/models/resnet50-11ad3fa6.pth", 25557032]);
  assert.deepEqual(r50.transforms, { cropSize: 224, resizeSize: 232, interpolation: "bilinear" });
  assert.equal(weightsEntry("resnet50", "ResNet50_Weights.IMAGENET1K_V1").url, "https://download.pytorch.org/models/resnet50-0676ba61.pth");
  assert.equal(weightsEntry("efficientnet_b0", "default").transforms.interpolation, "bicubic");
  assert.equal(r50.categories, IMAGENET_CATEGORIES, "categories are stored once");
  assert.equal(IMAGENET_CATEGORIES.length, 1000);
  assert.deepEqual([IMAGENET_CATEGORIES[0], IMAGENET_CATEGORIES[999]], ["tench", "toilet tissue"]);
  assert.equal(weightsEntry("vgg16", "IMAGENET1K_FEATURES").categories, undefined);
  assert.throws(() => weightsEntry("resnet50", "IMAGENET1K_V3"), /ResNet50_Weights has no entry "IMAGENET1K_V3"; did you mean "IMAGENET1K_V1"\? \(entries: DEFAULT, IMAGENET1K_V1, IMAGENET1K_V2\)/);
  assert.throws(() => weightsEntry("resnt18", "DEFAULT"), /No weights are registered for architecture "resnt18"; did you mean "resnet18"\?/);
  assert.throws(() => weightsEntry("resnet18", "ResNet50_Weights.IMAGENET1K_V1"), /are ResNet50_Weights, not resnet18's ResNet18_Weights/);
});

test("zoo.resnet18({ weights: 'DEFAULT', numClasses: 5 }) loads the cached file with no request; the new head keeps its init", async () => {
  const seed = 1 + Math.floor(Math.random() * 1000);
  const model = await zoo.resnet18({ weights: "DEFAULT", numClasses: 5, seed, inputShape: [64, 64, 3] });
  assert.equal(server.requests.length, 0);
  const r = model.loadReport;
  assert.equal(r.applied, true);
  assert.equal(r.loaded.length, 100);
  assert.deepEqual(r.mismatched.map((m) => m.target).sort(), ["fc/bias", "fc/kernel"]);
  assert.deepEqual(r.missing, []);
  assert.match(r.toString(), /fc/);
  assert.equal(model.weightsEntry.name, "IMAGENET1K_V1");
  // The head is exactly what the same seed builds without weights; the backbone is the file's.
  const fresh = zoo.resnet18({ numClasses: 5, seed, inputShape: [64, 64, 3] });
  const same = (a: tf.Tensor, b: tf.Tensor) => Buffer.from((a.dataSync() as Float32Array).buffer).equals(Buffer.from((b.dataSync() as Float32Array).buffer));
  assert.ok(same(model.getLayer("fc").getWeights()[0], fresh.getLayer("fc").getWeights()[0]));
  assert.ok(!same(model.getLayer("conv1").getWeights()[0], fresh.getLayer("conv1").getWeights()[0]));
  const direct = zoo.resnet18({ inputShape: [64, 64, 3] });
  await loadWeights(direct, path.join(hubCacheDir(), "resnet18-f37072fd.pth"));
  assert.ok(same(model.getLayer("layer4.1.conv2").getWeights()[0], direct.getLayer("layer4.1.conv2").getWeights()[0]));
  // Default numClasses with weights: the weights' 1000 classes, everything loads.
  const full = await zoo.pretrained("resnet18", { weights: "IMAGENET1K_V1", inputShape: [64, 64, 3] });
  assert.equal(full.report.coverage, 1);
  assert.equal(full.weights.categories?.length, 1000);
  assert.equal(server.requests.length, 0);
  for (const m of [model, fresh, direct, full.model]) m.dispose();
});

test("bad weights names fail before building or fetching anything", async () => {
  await assert.rejects(zoo.resnet18({ weights: "IMAGENET1K_V2" }), /ResNet18_Weights has no entry "IMAGENET1K_V2"/);
  await assert.rejects(async () => zoo.resnet18({ weights: 1 } as never), /weights for resnet18 must be a name like "DEFAULT"/);
  assert.throws(() => zoo.resnet18({ pretrained: true } as never), /unknown option "pretrained" \(options: .*weights.*\); torchvision's old pretrained=True is weights: "DEFAULT" here/);
  assert.throws(() => zoo.resnet18({ weight: "DEFAULT" } as never), /did you mean "weights"\?/);
  await assert.rejects(zoo.pretrained("efficientnet_b9", { weights: "DEFAULT" }), /no zoo builder for "efficientnet_b9"/);
  assert.equal(server.requests.length, 0);
});

test("loadWeights(model, URL) downloads through the mirror into the cache once, then reuses it", async () => {
  const file = path.join(os.tmpdir(), `graft-url-${process.pid}.pth`);
  execFileSync("/usr/bin/python3", ["-c", `
import sys, torch
torch.manual_seed(0)
torch.save(torch.nn.Sequential(torch.nn.Linear(4, 3)).state_dict(), sys.argv[1])
`, file]);
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  const name = `tiny-${createHash("sha256").update(bytes).digest("hex").slice(0, 10)}.pth`;
  server.files.set(`/mirror/${name}`, bytes);
  const build = () => tf.sequential({ layers: [tf.layers.dense({ name: "0", inputShape: [4], units: 3 })] });
  const progress: number[] = [];
  const m1 = build();
  const r1 = await loadWeights(m1, `https://example.invalid/models/${name}`, { strict: true, onDownload: (d) => progress.push(d) });
  assert.equal(r1.coverage, 1);
  assert.equal(progress[progress.length - 1], bytes.length);
  assert.ok(fs.existsSync(path.join(hubCacheDir(), name)));
  const m2 = build();
  await loadWeights(m2, `https://example.invalid/models/${name}`, { strict: true });
  assert.equal(server.requests.filter((u) => u.endsWith(name)).length, 1);
});

test("zoo weights not in the cache come from the mirror and are hash-checked: a wrong file is rejected, nothing is cached", async () => {
  const before = server.requests.length;
  server.files.set("/mirror/mobilenet_v2-7ebf99e0.pth", new Uint8Array(4096).fill(7));
  await assert.rejects(zoo.mobilenetV2({ weights: "DEFAULT", progress: false, inputShape: [32, 32, 3] }), (e: unknown) =>
    e instanceof Error && e.name === "GraftHubError" && /mobilenet_v2-7ebf99e0\.pth but its sha256 starts [0-9a-f]{8}, not 7ebf99e0/.test(e.message));
  assert.equal(server.requests.length, before + 1);
  assert.ok(!fs.readdirSync(hubCacheDir()).some((f) => f.includes("mobilenet_v2")));
});
