/** The list of tfjs internals: true of the pinned tfjs, and each entry names files that exist. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { assertTfjsInternals, TFJS_INTERNALS, TFJS_VERSION } from "../../src/_tfjs_private";

const ROOT = path.resolve(__dirname, "..", "..");

test("the installed tfjs is the pinned one and has every internal graft uses", () => {
  assert.equal(tf.version_core, TFJS_VERSION);
  assert.equal(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies["@tensorflow/tfjs"], TFJS_VERSION);
  assert.doesNotThrow(() => assertTfjsInternals());
});

test("every entry of the list names files that exist", () => {
  for (const entry of TFJS_INTERNALS) {
    for (const file of entry.usedBy.split(",").map((s) => s.trim())) {
      assert.ok(fs.existsSync(path.join(ROOT, file)), `${entry.member}: ${file} does not exist`);
    }
  }
});
