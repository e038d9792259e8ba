import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import * as graft from "../../src/index";
import { crossEntropy } from "../../src/train/losses";
import { logitsWarning } from "../../src/train/_loss_check";

/** torch's CrossEntropyLoss on random logits (some huge), with int and probability targets. */
function torchCases(): Array<{ logits: number[][]; labels: number[]; smoothing: number; intLoss: number; probLoss: number; probs: number[][] }> {
  const script = `
import json, torch
torch.manual_seed(3)
out = []
for n, c, s, scale in [(5, 4, 0.0, 1.0), (7, 10, 0.1, 3.0), (3, 2, 0.3, 50.0), (6, 1000, 0.05, 10.0)]:
    logits = torch.randn(n, c) * scale
    labels = torch.randint(0, c, (n,))
    probs = torch.softmax(torch.randn(n, c), 1)
    f = torch.nn.CrossEntropyLoss(label_smoothing=s)
    out.append(dict(logits=logits.tolist(), labels=labels.tolist(), smoothing=s, intLoss=f(logits, labels).item(),
                    probs=probs.tolist(), probLoss=f(logits, probs).item()))
print(json.dumps(out))
`;
  return JSON.parse(execFileSync("/usr/bin/python3", ["-W", "ignore", "-c", script], { encoding: "utf8" }));
}

test("crossEntropy equals torch's CrossEntropyLoss: int labels (int32 and float), one-hot and soft targets, label smoothing, huge logits", () => {
  for (const c of torchCases()) {
    const logits = tf.tensor2d(c.logits);
    const loss = crossEntropy({ labelSmoothing: c.smoothing });
    const fromInt = loss(tf.tensor1d(c.labels, "int32"), logits).mean().dataSync()[0];
    const fromFloat = loss(tf.tensor2d(c.labels, [c.labels.length, 1]), logits).mean().dataSync()[0];
    const classes = c.logits[0].length;
    const fromOneHot = loss(tf.oneHot(tf.tensor1d(c.labels, "int32"), classes), logits).mean().dataSync()[0];
    const fromProbs = loss(tf.tensor2d(c.probs), logits).mean().dataSync()[0];
    const tol = 1e-4 * Math.max(1, Math.abs(c.intLoss));
    assert.ok(Math.abs(fromInt - c.intLoss) < tol, `int32 labels, ε=${c.smoothing}: ${fromInt} vs torch ${c.intLoss}`);
    assert.ok(Math.abs(fromFloat - c.intLoss) < tol, `float [n,1] labels: ${fromFloat} vs ${c.intLoss}`);
    assert.ok(Math.abs(fromOneHot - c.intLoss) < tol, `one-hot labels: ${fromOneHot} vs ${c.intLoss}`);
    assert.ok(Math.abs(fromProbs - c.probLoss) < 1e-4 * Math.max(1, c.probLoss), `soft targets: ${fromProbs} vs ${c.probLoss}`);
    assert.ok(Number.isFinite(fromInt));
  }
  // The plain function (no options) is the ε = 0 loss, callable directly.
  const direct = crossEntropy(tf.tensor1d([1], "int32"), tf.tensor2d([[0, 0]])).dataSync()[0];
  assert.ok(Math.abs(direct - Math.log(2)) < 1e-6);
});

test("crossEntropy: bad options and shapes are typed errors that name the problem", () => {
  assert.throws(() => crossEntropy({ labelSmoothing: 1.5 }), (e: Error) => e instanceof RangeError && /labelSmoothing must be a number in \[0, 1\].*1\.5/.test(e.message));
  assert.throws(() => crossEntropy({ label_smoothing: 0.1 } as never), (e: Error) => e instanceof TypeError && /unknown option label_smoothing/.test(e.message));
  assert.throws(() => crossEntropy(tf.zeros([2, 3]), tf.zeros([2, 4])), (e: Error) => e instanceof TypeError && /labels of shape \[2,3\]/.test(e.message));
});

test("crossEntropy trains a logits model through model.compile and tfjs's fit (one-hot labels), accuracy reported", async () => {
  await graft.ready();
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
  model.compile({ optimizer: tf.train.adam(0.1), loss: graft.losses.crossEntropy, metrics: ["accuracy"] });
  const x = tf.randomNormal([60, 4], 0, 1, "float32", 5);
  const y = tf.oneHot(x.argMax(-1).minimum(2).toInt() as tf.Tensor1D, 3);
  const h = await model.fit(x, y, { epochs: 30, batchSize: 20, verbose: 0 });
  const loss = h.history.loss as number[];
  assert.ok(loss[loss.length - 1] < loss[0] * 0.7, `loss fell: ${loss[0]} → ${loss[loss.length - 1]}`);
  assert.ok((h.history.acc as number[]).at(-1)! > 0.7);
});

test("compile and graft.fit warn once, with the fix, when a linear output meets a probability loss", async () => {
  await graft.ready();
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => { warnings.push(args.join(" ")); };
  try {
    const logits = graft.zoo.resnet18({ numClasses: 3, inputShape: [32, 32, 3], seed: 1 });
    logits.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
    logits.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
    await graft.fit(logits, tf.zeros([2, 32, 32, 3]), tf.oneHot(tf.tensor1d([0, 1], "int32"), 3), { epochs: 1, verbose: 0 });
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0], /ends in a linear layer \(logits\).*"categoricalCrossentropy".*graft\.losses\.crossEntropy/);

    const seq = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 }), tf.layers.dropout({ rate: 0.1 })] });
    seq.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    assert.equal(warnings.length, 2, "a Sequential warns once too (Dropout looked through)");
    assert.match(warnings[1], /sparseCategoricalCrossentropy/);

    const fine = [
      tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, activation: "softmax" })] }),
      tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, activation: "sigmoid" })] }),
      tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 }), tf.layers.softmax()] }),
    ];
    fine[0].compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
    fine[1].compile({ optimizer: "sgd", loss: "binaryCrossentropy" });
    fine[2].compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
    const ce = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
    ce.compile({ optimizer: "sgd", loss: graft.losses.crossEntropy });
    assert.equal(warnings.length, 2, `no warning for probability outputs or crossEntropy: ${warnings.slice(2).join("\n")}`);
    assert.equal(logitsWarning(ce, "meanSquaredError"), undefined);
  } finally {
    console.warn = original;
  }
});

test("crossEntropy on a loader's int32 labels equals torch's CrossEntropyLoss(label_smoothing=0.2) on the same batch", async () => {
  await graft.ready();
  const ds = { length: 6, get: async (i: number) => ({ x: tf.fill([1, 1, 3], i * 0.3 - 1) as tf.Tensor3D, y: (i * 5) % 4 }) };
  const batch = (await graft.data.loader(ds, { batchSize: 6 })[Symbol.asyncIterator]().next()).value!;
  assert.equal(batch.ys.dtype, "int32");
  const logits = tf.tidy(() => batch.xs.reshape([6, 3]).matMul(tf.tensor2d([[1, -2, 0.5, 3], [0.2, 1, -1, 0], [2, 0, 1, -3]])));
  const ours = crossEntropy({ labelSmoothing: 0.2 })(batch.ys, logits).mean().dataSync()[0];
  const script = `
import json, sys, torch
d = json.load(sys.stdin)
print(torch.nn.CrossEntropyLoss(label_smoothing=0.2)(torch.tensor(d["logits"]), torch.tensor(d["labels"])).item())`;
  const torch = Number(execFileSync("/usr/bin/python3", ["-W", "ignore", "-c", script], {
    input: JSON.stringify({ logits: logits.arraySync(), labels: Array.from(batch.ys.dataSync()) }), encoding: "utf8",
  }));
  assert.ok(Math.abs(ours - torch) < 1e-5, `${ours} vs torch ${torch}`);
});
