import { test } from "node:test";
import assert from "node:assert/strict";
import { BRIDGE_KEY, type DisplayRequest } from "../../src/display/bridge";
import { progressBar } from "../../src/display/progress";
import { parsePattern as toPattern } from "../../src";

test("progressBar: one output, updated in place, throttled, ending in a summary line", () => {
  const sent: DisplayRequest[] = [];
  (globalThis as Record<symbol, unknown>)[BRIDGE_KEY] = { display: (r: DisplayRequest) => sent.push(r), clearOutput: () => {} };
  try {
    const progress = progressBar("loading big.pth");
    for (let i = 1; i <= 1000; i++) progress(i * 1048576, 1000 * 1048576);
    progress.done();
    assert.ok(sent.length >= 1 && sent.length <= 3, `${sent.length} messages for 1000 calls in a tight loop`);
    assert.equal(new Set(sent.map((r) => r.id)).size, 1);
    assert.equal(sent[0].update, false);
    const last = sent[sent.length - 1];
    assert.match(String(last.data["text/plain"]), /^loading big\.pth: 1000 MB in [\d.]+ s$/);
    assert.doesNotMatch(String(last.data["text/html"]), /<progress/);
  } finally {
    delete (globalThis as Record<symbol, unknown>)[BRIDGE_KEY];
  }
});

test("magic patterns: commas split lists, but not inside {a,b} alternatives", () => {
  assert.deepEqual(toPattern("conv*,bn*"), ["conv*", "bn*"]);
  assert.equal(toPattern("{conv,bn}*"), "{conv,bn}*");
  assert.deepEqual(toPattern("{conv,bn}1,fc"), ["{conv,bn}1", "fc"]);
  assert.ok(toPattern("/^layer[34]/") instanceof RegExp);
});
