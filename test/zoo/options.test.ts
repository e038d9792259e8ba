/**
 * Zoo options as a user meets them: torchvision's spellings get a did-you-mean instead of being
 * ignored, and `seed` makes a build reproducible (and only a seed does).
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { ready, tf } from "../../src/engine/engine";
import * as zoo from "../../src/zoo";

before(async () => {
  await ready();
});

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

function sameWeights(a: tf.LayersModel, b: tf.LayersModel): boolean {
  const wa = weightsOf(a);
  const wb = weightsOf(b);
  return wa.length === wb.length && wa.every((w, i) => w.length === wb[i].length && w.every((v, j) => v === wb[i][j]));
}

test("unknown options are refused with torchvision's spelling mapped to graft's", () => {
  assert.throws(() => zoo.resnet18({ num_classes: 4 } as never), {
    name: "TypeError",
    message: /zoo\.resnet18: unknown option "num_classes"; did you mean "numClasses"\?/,
  });
  assert.throws(() => zoo.vgg11({ inputshape: [32, 32, 3] } as never), /did you mean "inputShape"/);
  assert.throws(() => zoo.mobilenetV2({ pretrained: true } as never), /unknown option "pretrained" \(options: numClasses/);
  assert.throws(() => zoo.resnet18({ seed: 1.5 }), { name: "RangeError", message: /seed must be an integer; got 1\.5/ });
});

const BUILDERS: Array<[string, (o: zoo.ZooOptions) => tf.LayersModel]> = [
  ["resnet18", (o) => zoo.resnet18({ ...o, numClasses: 7, inputShape: [32, 32, 3] })],
  ["mobilenetV2", (o) => zoo.mobilenetV2({ ...o, numClasses: 7, inputShape: [32, 32, 3] })],
  ["vgg11", (o) => zoo.vgg11({ ...o, includeTop: false, inputShape: [32, 32, 3] })],
];

for (const [name, build] of BUILDERS) {
  test(`${name}: the same seed gives the same weights, another seed or none gives others`, () => {
    const a = build({ seed: 42 });
    const b = build({ seed: 42 });
    const c = build({ seed: 43 });
    const d = build({});
    try {
      assert.ok(sameWeights(a, b), "seed 42 twice");
      assert.ok(!sameWeights(a, c), "seed 42 vs 43");
      assert.ok(!sameWeights(a, d), "seed 42 vs unseeded");
      // No two seeded weights share a random stream (kernel and bias of a Linear drawn alike, say).
      const random = weightsOf(a).filter((w) => w.length > 1 && w[0] !== w[1]);
      assert.equal(new Set(random.map((w) => w[0])).size, random.length);
    } finally {
      [a, b, c, d].forEach((m) => m.dispose());
    }
  });
}
