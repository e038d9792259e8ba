import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ready } from "../../src/engine/engine";
import {
  GraftPatternError, freeze, freezeTo, freezeUpTo, frozenLayers, globToRegExp, layerGroups, layerNames, selectLayers, unfreeze,
} from "../../src/freeze";
import { GraftError } from "../../src/errors";
import { nestedCnn, smallCnn } from "./_models";

const names = (model: tf.LayersModel, p: Parameters<typeof selectLayers>[1]) => selectLayers(model, p).map((n) => n.path);

test("globToRegExp: * crosses dots but not /, ** crosses /, ?, classes, braces, escapes", () => {
  assert.ok(globToRegExp("layer[1-3].*").test("layer1.0.conv1"));
  assert.ok(!globToRegExp("layer[1-3].*").test("layer4.0.conv1"));
  assert.ok(!globToRegExp("layer[1-3].*").test("layer10"));
  assert.ok(globToRegExp("*").test("layer1.0.conv1"));
  assert.ok(!globToRegExp("*").test("backbone/conv1"));
  assert.ok(globToRegExp("**").test("backbone/conv1"));
  assert.ok(globToRegExp("backbone/*").test("backbone/layer1.0.bn1"));
  assert.ok(globToRegExp("layer?.0.bn1").test("layer2.0.bn1"));
  assert.ok(!globToRegExp("layer?.0.bn1").test("layer/.0.bn1"));
  assert.ok(globToRegExp("layer[!1].*").test("layer2.0.conv1"));
  assert.ok(!globToRegExp("layer[!1].*").test("layer1.0.conv1"));
  assert.ok(globToRegExp("{conv1,bn1}").test("bn1"));
  assert.ok(!globToRegExp("{conv1,bn1}").test("bn2"));
  assert.ok(globToRegExp("layer1.0.{conv,bn}{1,2}").test("layer1.0.bn2"));
  assert.ok(!globToRegExp("layer1.0.conv1").test("layer1x0xconv1"), "a dot is literal");
  assert.ok(globToRegExp("a\\*b").test("a*b"));
  assert.throws(() => globToRegExp("{a,b"), { name: "TypeError", message: /"\{a,b": a "\{" is not closed/ });
});

test("selectLayers: glob, negation, regex, list with negation, predicate", async () => {
  await ready();
  const m = smallCnn();
  assert.deepEqual(names(m, "layer[1-3].*"), ["layer1.0.conv1", "layer1.0.bn1", "layer1.0.relu", "layer2.0.conv1", "layer2.0.bn1"]);
  assert.deepEqual(names(m, "*.bn1"), ["layer1.0.bn1", "layer2.0.bn1"]);
  assert.deepEqual(names(m, "{conv1,fc}"), ["conv1", "fc"]);
  assert.deepEqual(names(m, "!fc"), layerNames(m).filter((n) => n !== "fc"));
  assert.deepEqual(names(m, /bn1$/), ["bn1", "layer1.0.bn1", "layer2.0.bn1"]);
  assert.deepEqual(names(m, /BN1/gi), ["bn1", "layer1.0.bn1", "layer2.0.bn1"], "g flag does not make matches alternate");
  assert.deepEqual(names(m, ["fc", "conv1"]), ["conv1", "fc"], "list: model order");
  assert.deepEqual(names(m, ["layer*", "!*.relu", "!layer2.*"]), ["layer1.0.conv1", "layer1.0.bn1"]);
  assert.deepEqual(names(m, ["!layer*", "!fc"]), ["conv1", "bn1", "relu", "avgpool"], "a list starting with ! starts from every layer");
  assert.deepEqual(names(m, (l) => l.getClassName() === "BatchNormalization"), ["bn1", "layer1.0.bn1", "layer2.0.bn1"]);
});

test("nested models: inner layers are outer/inner, selecting the nested model selects its layers", async () => {
  await ready();
  const m = nestedCnn();
  assert.deepEqual(layerNames(m), ["backbone", "backbone/conv1", "backbone/bn1", "backbone/layer1.0.conv1", "backbone/layer1.0.bn1", "backbone/avgpool", "head.0", "head.1"]);
  assert.deepEqual(names(m, "backbone/layer1.*"), ["backbone/layer1.0.conv1", "backbone/layer1.0.bn1"]);
  assert.deepEqual(names(m, "backbone"), ["backbone/conv1", "backbone/bn1", "backbone/layer1.0.conv1", "backbone/layer1.0.bn1", "backbone/avgpool"]);
  assert.deepEqual(names(m, "!head.*").length, 5);
  assert.deepEqual(names(m, "**bn1"), ["backbone/bn1", "backbone/layer1.0.bn1"]);
  assert.deepEqual(names(m, (l) => l.name === "backbone"), names(m, "backbone"), "a predicate sees nested models too");
  assert.deepEqual(freeze(m, "backbone/*bn1"), ["backbone/bn1", "backbone/layer1.0.bn1"]);
  assert.deepEqual(frozenLayers(m), ["backbone/bn1", "backbone/layer1.0.bn1"]);
});

test("a pattern that matches nothing throws GraftPatternError with the closest names", async () => {
  await ready();
  const m = smallCnn();
  const err = (() => { try { freeze(m, "layr1.*"); } catch (e) { return e; } })() as GraftPatternError;
  assert.ok(err instanceof GraftPatternError && err instanceof GraftError);
  assert.equal(err.name, "GraftPatternError");
  assert.equal(err.pattern, "layr1.*");
  assert.deepEqual(err.candidates.slice(0, 3).sort(), ["layer1.0.bn1", "layer1.0.conv1", "layer1.0.relu"]);
  assert.match(err.message, /^freeze: pattern "layr1\.\*" matches none of the 10 layers of model "small_cnn"\. Closest layer names: layer1\.0\./);
  assert.match(err.message, /"\*" crosses "\." but not "\/", "\*\*" crosses "\/", nested layers are named "outer\/inner"/);
  assert.throws(() => unfreeze(m, ["fc", "conv9"]), (e: unknown) =>
    e instanceof GraftPatternError && e.pattern === "conv9" && e.candidates[0] === "conv1" && /unfreeze: pattern "conv9" \(in \["fc","conv9"\]\) matches none/.test(e.message));
  assert.throws(() => freeze(m, "!fcc"), { name: "GraftPatternError", message: /pattern "!fcc" matches none .* Closest layer names: fc,/ },
    "a typo after ! must not freeze everything");
  assert.throws(() => freeze(m, /^head/), { name: "GraftPatternError", message: /pattern \/\^head\/ matches none/ });
  assert.throws(() => freeze(m, () => false), { name: "GraftPatternError", message: /predicate .* matches none of the 10 layers .* Its layers: conv1, bn1,/ });
  assert.throws(() => freeze(nestedCnn(), "conv1"), { name: "GraftPatternError", message: /Closest layer names: backbone\/conv1/ });
  assert.deepEqual(frozenLayers(m), [], "failed calls change nothing");
});

test("bad argument types are TypeErrors", async () => {
  await ready();
  const m = smallCnn();
  assert.throws(() => freeze(m, 3 as unknown as string), { name: "TypeError", message: /freeze: pattern must be a glob string, RegExp, array of names\/globs or \(layer\) => boolean: got number/ });
  assert.throws(() => freeze(m, null as unknown as string), { name: "TypeError", message: /got null/ });
  assert.throws(() => freeze(m, ["fc", /x/ as unknown as string]), { name: "TypeError", message: /a pattern list holds layer names or globs \(strings\): got object/ });
  assert.throws(() => freeze(null as unknown as tf.LayersModel, "fc"), { name: "TypeError", message: /freeze expects a tf.LayersModel .*: got null/ });
  assert.throws(() => freeze(m, "fc", { trainBN: "yes" } as never), { name: "TypeError", message: /trainBN must be a boolean: got string/ });
  assert.throws(() => freezeUpTo(m, 3 as unknown as string), { name: "TypeError", message: /layer name must be a string: got number/ });
});

test("freeze/unfreeze return the layers whose state changed; weightless layers are not listed", async () => {
  await ready();
  const m = smallCnn();
  assert.deepEqual(freeze(m, "layer1.*"), ["layer1.0.conv1", "layer1.0.bn1"]);
  assert.deepEqual(freeze(m, "layer1.*"), [], "already frozen");
  assert.deepEqual(unfreeze(m, "**"), ["layer1.0.conv1", "layer1.0.bn1"]);
  assert.deepEqual(freeze(m, "*", { trainBN: true }), ["conv1", "layer1.0.conv1", "layer2.0.conv1", "fc"]);
  assert.ok(m.getLayer("bn1").trainable, "trainBN keeps BatchNormalization trainable");
});

test("freezeUpTo freezes in model order, inclusive by default; unknown names get suggestions", async () => {
  await ready();
  const m = smallCnn();
  assert.deepEqual(freezeUpTo(m, "layer1.0.bn1"), ["conv1", "bn1", "layer1.0.conv1", "layer1.0.bn1"]);
  const n = smallCnn();
  assert.deepEqual(freezeUpTo(n, "layer1.0.bn1", { inclusive: false }), ["conv1", "bn1", "layer1.0.conv1"]);
  const nested = nestedCnn();
  assert.deepEqual(freezeUpTo(nested, "backbone"), ["backbone/conv1", "backbone/bn1", "backbone/layer1.0.conv1", "backbone/layer1.0.bn1"]);
  assert.throws(() => freezeUpTo(m, "layer1.0.bn"), (e: unknown) =>
    e instanceof GraftPatternError && e.candidates[0] === "layer1.0.bn1" &&
    e.message.startsWith('freezeUpTo: model "small_cnn" has no layer named "layer1.0.bn". Closest layer names: layer1.0.bn1'));
});

test("layer groups and fastai-style freezeTo", async () => {
  await ready();
  const m = smallCnn();
  assert.deepEqual(layerGroups(m).map((g) => g.name), ["conv1", "bn1", "layer1", "layer2", "fc"]);
  assert.deepEqual(layerGroups(nestedCnn()).map((g) => g.name), ["backbone", "head"]);
  assert.deepEqual(freezeTo(m, -1), ["conv1", "bn1", "layer1.0.conv1", "layer1.0.bn1", "layer2.0.conv1", "layer2.0.bn1"]);
  assert.deepEqual(freezeTo(m, -2), ["layer2.0.conv1", "layer2.0.bn1"], "unfreezes the second-to-last group");
  assert.deepEqual(frozenLayers(m), ["conv1", "bn1", "layer1.0.conv1", "layer1.0.bn1"]);
  assert.deepEqual(freezeTo(m, 1, { groups: ["{conv1,bn1}", "layer*", "fc"] }), ["layer1.0.conv1", "layer1.0.bn1"]);
  assert.throws(() => freezeTo(m, 6), { name: "RangeError", message: /n must lie in \[-5, 5\] for a model with 5 layer groups: got 6/ });
  assert.throws(() => freezeTo(m, 1.5), { name: "TypeError", message: /n must be an integer group index/ });
});
