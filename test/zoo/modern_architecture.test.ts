/**
 * convnext_tiny, densenet121 and vit_b_16 without PyTorch at hand: torchvision 0.14's parameter
 * counts, torch module names, freezing by block patterns, seeds, the save/load round trip of
 * graft's own layers, zoo.list()/get(), and the errors for inputs an architecture cannot take.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ready, tf } from "../../src/engine/engine";
import { countParams, freeze, freezeUpTo } from "../../src/freeze";
import { modelWeights, torchNamesOf, torchRule } from "../../src/load";
import { fit } from "../../src/train";
import * as zoo from "../../src/zoo";

before(async () => {
  await ready();
});

const numel = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce((a, b) => (a as number) * (b as number), 1)!, 0);

/** torchvision 0.14 at 1000 classes, 224×224: sum(p.numel() for p in model.parameters()), BN statistics. */
const COUNTS: Array<[string, zoo.ZooBuilder, number, number]> = [
  ["convnext_tiny", zoo.convnextTiny, 28589128, 0],
  ["densenet121", zoo.densenet121, 7978856, 83648],
  ["vit_b_16", zoo.vitB16, 86567656, 0],
];

for (const [name, build, parameters, buffers] of COUNTS) {
  test(`${name}: parameter counts equal torchvision's; layer names unique`, () => {
    const model = build();
    try {
      assert.equal(zoo.torchvisionName(model), name);
      assert.equal(numel(model.trainableWeights), parameters);
      assert.equal(numel(model.nonTrainableWeights), buffers);
      assert.equal(countParams(model).total, parameters + buffers);
      assert.deepEqual(model.outputs[0].shape, [null, 1000]);
      const names = model.layers.map((l) => l.name);
      assert.equal(new Set(names).size, names.length);
    } finally {
      model.dispose();
    }
  });
}

test("convnext_tiny: torch names and layouts of every new parameter kind; freezing features.[0-5]*", () => {
  const model = zoo.convnextTiny({ numClasses: 10, inputShape: [32, 32, 3] });
  try {
    const torchNames = modelWeights(model).flatMap((w) => torchNamesOf(w) ?? [`?${w.target}`]);
    for (const n of ["features.0.0.weight", "features.0.1.weight", "features.1.0.block.0.weight", "features.1.0.block.2.bias",
      "features.1.0.block.3.weight", "features.1.0.layer_scale", "features.2.0.weight", "features.2.1.weight", "features.7.2.block.5.bias",
      "classifier.0.weight", "classifier.2.weight"]) {
      assert.ok(torchNames.includes(n), `no weight answers to ${n}`);
    }
    assert.equal(torchNames.length, 4 + 9 * 18 + 4 * 3 + 4); // stem, 18 blocks of 9, 3 downsamplings, classifier
    assert.deepEqual(model.getLayer("features.1.0.block.0").getWeights()[0].shape, [7, 7, 96, 1]);
    assert.deepEqual(model.getLayer("features.1.0").getWeights()[0].shape, [96]);
    assert.equal((model.getLayer("features.1.0.block.2").getConfig() as { epsilon: number }).epsilon, 1e-6);
    assert.equal((model.getLayer("features.1.0.block.4").getConfig() as { activation: string }).activation, "gelu");
    const scale = torchRule("LayerScale", "layer_scale")!;
    assert.deepEqual(scale.shape([[96, 1, 1]], { layer: model.getLayer("features.1.0"), target: [96] }), [96]);
    assert.equal(scale.shape([[96, 2, 1]], { layer: model.getLayer("features.1.0"), target: [96] }), undefined);

    const frozen = freeze(model, "features.[0-5]*");
    assert.ok(frozen.includes("features.5.8") && frozen.includes("features.0.0") && !frozen.some((n) => n.startsWith("features.6")));
    const c = countParams(model);
    const stage4 = model.layers.filter((l) => /^features\.[67]|^classifier/.test(l.name)).reduce((n, l) => n + l.countParams(), 0);
    assert.equal(c.trainable, stage4);
    assert.equal(c.trainable + c.frozen, numel(model.weights));
  } finally {
    model.dispose();
  }
});

test("vit_b_16: encoder_layer_N names, torch's in_proj layout, class token at the root; block patterns and freezeUpTo", () => {
  const model = zoo.vitB16({ numClasses: 10, inputShape: [32, 32, 3], seed: 3 });
  try {
    const torchNames = modelWeights(model).flatMap((w) => torchNamesOf(w) ?? [`?${w.target}`]);
    assert.deepEqual(torchNames.slice(0, 4), ["conv_proj.weight", "conv_proj.bias", "class_token", "encoder.pos_embedding"]);
    for (const n of ["encoder.layers.encoder_layer_0.ln_1.weight", "encoder.layers.encoder_layer_0.self_attention.in_proj_weight",
      "encoder.layers.encoder_layer_0.self_attention.in_proj_bias", "encoder.layers.encoder_layer_0.self_attention.out_proj.weight",
      "encoder.layers.encoder_layer_11.mlp.0.weight", "encoder.layers.encoder_layer_11.mlp.3.bias", "encoder.ln.weight", "heads.head.weight"]) {
      assert.ok(torchNames.includes(n), `no weight answers to ${n}`);
    }
    assert.equal(torchNames.length, 4 + 12 * 12 + 2 + 2);
    const attention = model.getLayer("encoder.layers.encoder_layer_0.self_attention");
    assert.deepEqual(attention.getWeights().map((w) => w.shape), [[2304, 768], [2304]]);
    assert.deepEqual(model.getLayer("encoder").getWeights()[0].shape, [1, 5, 768]);
    assert.equal(model.getLayer("heads.head").getWeights()[0].max().dataSync()[0], 0, "torchvision zeroes the head");

    const all = freeze(model, "encoder.layers.encoder_layer_[0-9]*"); // `*` crosses dots: every block
    assert.ok(all.includes("encoder.layers.encoder_layer_11.mlp.3"));
    model.layers.forEach((l) => (l.trainable = true));
    freeze(model, "encoder.layers.encoder_layer_[0-9].*"); // blocks 0–9 only
    assert.equal(model.getLayer("encoder.layers.encoder_layer_9.mlp.3").trainable, false);
    assert.equal(model.getLayer("encoder.layers.encoder_layer_10.ln_1").trainable, true);
    model.layers.forEach((l) => (l.trainable = true));
    const upTo = freezeUpTo(model, "encoder.layers.encoder_layer_9.add_2");
    assert.ok(upTo.includes("conv_proj") && upTo.includes("class_token") && upTo.includes("encoder"));
    assert.equal(model.getLayer("encoder.layers.encoder_layer_10.ln_1").trainable, true);
    const block = model.layers.filter((l) => l.name.startsWith("encoder.layers.encoder_layer_11.")).reduce((n, l) => n + l.countParams(), 0);
    assert.equal(countParams(model).trainable, 2 * block + 2 * 768 + 768 * 10 + 10);
  } finally {
    model.dispose();
  }
});

test("densenet121: torchvision names, concatenation order, transitions", () => {
  const model = zoo.densenet121({ numClasses: 5, inputShape: [64, 64, 3] });
  try {
    const names = model.layers.map((l) => l.name);
    for (const n of ["features.conv0", "features.norm0", "features.pool0", "features.denseblock1.denselayer6.conv2",
      "features.transition3.conv", "features.denseblock4.denselayer16.norm1", "features.norm5", "classifier"]) {
      assert.ok(names.includes(n), `missing layer ${n}`);
    }
    assert.deepEqual(model.getLayer("features.transition1.conv").getWeights()[0].shape, [1, 1, 256, 128]);
    assert.deepEqual(model.getLayer("features.denseblock4.denselayer16.norm1").getWeights()[0].shape, [992]);
    assert.deepEqual(model.getLayer("classifier").getWeights()[0].shape, [1024, 5]);
    const bn = model.getLayer("features.norm5").getConfig() as { epsilon: number; momentum: number };
    assert.deepEqual([bn.epsilon, bn.momentum], [1e-5, 0.9]);
    const frozen = freeze(model, "features.{conv0,norm0,denseblock1,transition1}*");
    assert.ok(frozen.includes("features.transition1.conv") && !frozen.includes("features.denseblock2.denselayer1.norm1"));
  } finally {
    model.dispose();
  }
});

test("seeds: same seed, same weights; another seed, other weights", () => {
  const weightsOf = (seed: number) => {
    const m = zoo.densenet121({ numClasses: 3, inputShape: [32, 32, 3], seed });
    const w = ["features.conv0", "features.denseblock3.denselayer5.conv2", "classifier"].map((n) => Array.from(m.getLayer(n).getWeights()[0].dataSync().slice(0, 64)));
    m.dispose();
    return w;
  };
  assert.deepEqual(weightsOf(11), weightsOf(11));
  assert.notDeepEqual(weightsOf(11), weightsOf(12));
});

test("graft's layers survive model.save / tf.loadLayersModel (file://), outputs identical", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-zoo-"));
  const model = zoo.vitB16({ numClasses: 4, inputShape: [32, 32, 3], seed: 5 });
  // A non-zero head, so the comparison sees the whole network.
  model.getLayer("heads.head").setWeights([tf.randomNormal([768, 4], 0, 0.05, "float32", 1), tf.zeros([4])]);
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, "float32", 7);
  try {
    await model.save(`file://${dir}`);
    const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
    const classes = new Set(loaded.layers.map((l) => l.getClassName()));
    for (const c of ["ClassToken", "PositionEmbedding", "MultiHeadSelfAttention", "TakeToken"]) assert.ok(classes.has(c), c);
    assert.equal((loaded.getLayer("encoder.layers.encoder_layer_3.self_attention").getConfig() as { numHeads: number }).numHeads, 12);
    const [a, b] = tf.tidy(() => [(model.predict(x) as tf.Tensor).dataSync(), (loaded.predict(x) as tf.Tensor).dataSync()]);
    assert.ok(Math.max(...a.map(Math.abs)) > 0.01);
    assert.deepEqual(Array.from(b), Array.from(a));
    loaded.dispose();

    const convnext = zoo.convnextTiny({ numClasses: 3, inputShape: [32, 32, 3], seed: 2 });
    convnext.getLayer("features.3.1").setWeights([tf.fill([192], 0.7)]);
    const saved = await convnext.save(tf.io.withSaveHandler(async (artifacts) => {
      const again = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      assert.equal(again.getLayer("features.3.1").getClassName(), "LayerScale");
      assert.deepEqual(Array.from(again.getLayer("features.3.1").getWeights()[0].dataSync()), new Array(192).fill(Math.fround(0.7)));
      const [c, d] = tf.tidy(() => [(convnext.predict(x) as tf.Tensor).dataSync(), (again.predict(x) as tf.Tensor).dataSync()]);
      assert.deepEqual(Array.from(d), Array.from(c));
      again.dispose();
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }));
    assert.ok(saved.modelArtifactsInfo);
    convnext.dispose();
  } finally {
    model.dispose();
    x.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("zoo.list() names every architecture; zoo.get() by torchvision or export name", () => {
  const names = zoo.list();
  for (const n of ["resnet18", "resnet34", "resnet50", "vgg11", "vgg16", "mobilenet_v2", "convnext_tiny", "densenet121", "vit_b_16"]) {
    assert.ok(names.includes(n), `zoo.list() lacks ${n}`);
  }
  const exports = zoo as unknown as Record<string, unknown>;
  for (const [n, e] of [["efficientnet_b0", "efficientnetB0"], ["mobilenet_v3_large", "mobilenetV3Large"], ["mobilenet_v3_small", "mobilenetV3Small"]]) {
    assert.equal(names.includes(n), typeof exports[e] === "function", `${n} listed iff zoo.${e} exists`);
  }
  for (const n of names) assert.ok((zoo.TORCHVISION_NAMES as readonly string[]).includes(n), `${n} is not in TORCHVISION_NAMES`);
  assert.equal(zoo.get("vit_b_16"), zoo.vitB16);
  assert.equal(zoo.get("convnextTiny"), zoo.convnextTiny);
  assert.equal(zoo.get("densenet121"), zoo.densenet121);
  assert.throws(() => zoo.get("convnext_tiy"), (e: Error) => e instanceof RangeError && /no architecture named "convnext_tiy"; did you mean "convnext_tiny"/.test(e.message) && /zoo\.list\(\): resnet18/.test(e.message));
  assert.throws(() => zoo.get(42 as unknown as string), TypeError);
});

test("inputs an architecture cannot take are RangeErrors naming the option and the value", () => {
  assert.throws(() => zoo.vitB16({ inputShape: [200, 224, 3] }), (e: Error) => e instanceof RangeError && /multiples of 16.*\[200,224,3\]/.test(e.message));
  assert.throws(() => zoo.convnextTiny({ inputShape: [31, 64, 3] }), (e: Error) => e instanceof RangeError && /at least \[32, 32, C\].*\[31,64,3\]/.test(e.message));
  assert.throws(() => zoo.densenet121({ inputShape: [28, 64, 3] }), (e: Error) => e instanceof RangeError && /at least \[29, 29, C\]/.test(e.message));
  assert.throws(() => zoo.vitB16({ num_classes: 3 } as never), (e: Error) => e instanceof TypeError && /did you mean "numClasses"/.test(e.message));
  assert.throws(() => new zoo.MultiHeadSelfAttention({ numHeads: 0 }), RangeError);
});

test("transforms(): torchvision's IMAGENET1K_V1 presets (resize 236 for convnext_tiny, 256 for the others)", () => {
  for (const [build, resize] of [[zoo.convnextTiny, 236], [zoo.densenet121, 256], [zoo.vitB16, 256]] as const) {
    const t = build.transforms();
    assert.deepEqual(t.randomParts(), []);
    assert.match(t.toString(), new RegExp(`resize\\(${resize}\\b.*centerCrop\\(224\\)`));
    const image = { data: new Uint8Array(300 * 400 * 3).map((_, i) => (i * 7) % 256), height: 300, width: 400, channels: 3 as const };
    const x = t(image) as tf.Tensor3D;
    assert.deepEqual(x.shape, [224, 224, 3]);
    x.dispose();
  }
});

test("vit_b_16 trains on graft's engine: with blocks 0–9 frozen, one fit step moves blocks 10–11 and the head only", async () => {
  const model = zoo.vitB16({ numClasses: 3, inputShape: [32, 32, 3], seed: 9 });
  model.getLayer("heads.head").setWeights([tf.randomNormal([768, 3], 0, 0.05, "float32", 2), tf.zeros([3])]);
  freezeUpTo(model, "encoder.layers.encoder_layer_9.add_2");
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
  const x = tf.randomNormal([4, 32, 32, 3], 0, 1, "float32", 3);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], "int32"), 3);
  const watched = ["class_token", "encoder", "encoder.layers.encoder_layer_0.self_attention", "encoder.layers.encoder_layer_11.self_attention", "encoder.ln", "heads.head"];
  const snapshot = () => watched.map((n) => Array.from(model.getLayer(n).getWeights()[0].dataSync()));
  try {
    const before = snapshot();
    const history = await fit(model, x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    assert.ok(Number.isFinite(history.history.loss[0] as number));
    const after = snapshot();
    const moved = watched.filter((_, i) => before[i].some((v, j) => v !== after[i][j]));
    assert.deepEqual(moved, ["encoder.layers.encoder_layer_11.self_attention", "encoder.ln", "heads.head"]);
  } finally {
    model.dispose();
    tf.dispose([x, y]);
  }
});
