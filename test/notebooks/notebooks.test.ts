// Every tutorial notebook runs top to bottom through the real graft kernel (`graft run`, Debian's
// nbclient), with no error output; its key numbers are checked here, several against real PyTorch.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, ROOT, ensureBuilt } from "../kernel/_build";

interface Output { output_type: string; text?: string | string[]; data?: Record<string, string | string[]>; ename?: string; evalue?: string }
interface Cell { cell_type: string; source: string | string[]; outputs?: Output[] }
interface Run { code: number; stderr: string; cells: Cell[]; text: string }

const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "graft-notebooks-"));
const join = (x: string | string[] | undefined) => (Array.isArray(x) ? x.join("") : x ?? "");

function run(name: string): Promise<Run> {
  const output = path.join(OUT, `${name}.ipynb`);
  const args = [CLI, "run", path.join(ROOT, "notebooks", `${name}.ipynb`), "--output", output, "--html", path.join(OUT, `${name}.html`)];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      const cells: Cell[] = fs.existsSync(output) ? JSON.parse(fs.readFileSync(output, "utf8")).cells : [];
      const text = cells.flatMap((c) => c.outputs ?? []).map((o) => join(o.text) + join(o.data?.["text/plain"])).join("\n");
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr, cells, text });
    });
  });
}

const runs = new Map<string, Promise<Run>>();
const NOTEBOOKS = ["01-quickstart", "02-transfer-fashion-mnist", "03-torchvision", "04-formats", "05-custom-loop", "06-your-images"];

before(() => {
  ensureBuilt();
  // One after another: each kernel trains, and CI has two cores.
  let previous: Promise<unknown> = Promise.resolve();
  for (const name of NOTEBOOKS) {
    const p = previous.then(() => run(name));
    runs.set(name, p);
    previous = p;
  }
});

async function executed(name: string): Promise<Run> {
  const r = await runs.get(name)!;
  const errors = r.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "error");
  assert.deepEqual(errors.map((e) => `${e.ename}: ${e.evalue}`), [], `${name} has error outputs`);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  const code = r.cells.filter((c) => c.cell_type === "code");
  assert.ok(code.every((c) => (c.outputs ?? []).length > 0 || /^(function|const|let|import)/m.test(join(c.source))), `${name}: a cell that should show something is empty`);
  return r;
}

function number(text: string, re: RegExp): number {
  const m = text.match(re);
  assert.ok(m, `no match for ${re} in:\n${text.slice(0, 3000)}`);
  return Number(m[1].replace(/,/g, ""));
}

test("01-quickstart: loads 14 of 16 tensors, reports the head's shape mismatch, freezes the backbone, trains and saves", async () => {
  const r = await executed("01-quickstart");
  assert.match(r.text, /loaded 14\/16 tensors, 99\.3 % of parameters; 2 shape mismatches \(fc\.weight 5×64 vs 10×64, fc\.bias\)/);
  assert.match(r.text, /105\.4 k of 106\.1 k parameters loaded from fashion_cnn_0-4\.pth\nnot loaded:\n  fc: 650 mismatched/, "the load chart");
  assert.match(r.text, /Froze 4 layers: conv1, bn1, conv2, bn2/);
  assert.equal(number(r.text, /Trainable params: ([\d,]+)/), 64 * 1568 + 64 + 64 * 10 + 10);
  assert.match(r.text, /\[ 'model\.json', 'weights\.bin' \]/);
});

test("02-transfer-fashion-mnist: transfer beats training from scratch by at least 5 accuracy points", async () => {
  const r = await executed("02-transfer-fashion-mnist");
  assert.match(r.text, /4 skipped/);
  const transfer = number(r.text, /transfer ([\d.]+) %/);
  const scratch = number(r.text, /scratch ([\d.]+) %/);
  assert.ok(transfer - scratch >= 5, `transfer ${transfer} % vs scratch ${scratch} %`);
  assert.ok(transfer > 80, `transfer accuracy ${transfer} %`);
});

test("03-torchvision: the zoo resnet18 reproduces torch's logits and counts what torch counts", async () => {
  const r = await executed("03-torchvision");
  assert.match(r.text, /loaded 102\/102 tensors, 100\.0 % of parameters/);
  assert.match(r.text, /loading data\/generated\/resnet18\.pth: 4[45] MB in [\d.]+ s/, "the progress bar's final state");
  assert.ok(number(r.text, /relative ([\d.e+-]+)\)/) <= 1e-4);
  const torchCounts = JSON.parse(execFileSync("/usr/bin/python3", ["-c", `
import json, torchvision
m = torchvision.models.resnet18(num_classes=5)
trainable = sum(p.numel() for n, p in m.named_parameters() if n.startswith(("layer4.", "fc.")))
print(json.dumps({"trainable": trainable, "total": sum(p.numel() for p in m.parameters()) + sum(b.numel() for n, b in m.named_buffers() if "running" in n)}))
`], { encoding: "utf8" }));
  assert.equal(number(r.text, /trainable ([\d,]+) of/), torchCounts.trainable);
  assert.equal(number(r.text, /trainable [\d,]+ of ([\d,]+) parameters/), torchCounts.total);
  // The newer architecture: convnext_tiny, every tensor by name, same logits, freezing features.[0-5]*.
  assert.match(r.text, /vit_b_16/);
  assert.match(r.text, /182 tensors loaded, coverage 1; features\.1\.0\.layer_scale → features\.1\.0\/layer_scale: reshape/);
  assert.ok(number(r.text, /convnext_tiny: .*relative ([\d.e+-]+)\)/) <= 1e-4);
  const convnextTrainable = Number(execFileSync("/usr/bin/python3", ["-c", `
import torchvision
m = torchvision.models.convnext_tiny()
print(sum(p.numel() for n, p in m.named_parameters() if n.startswith(("features.6.", "features.7.", "classifier."))))
`], { encoding: "utf8" }));
  assert.equal(number(r.text, /convnext_tiny trainable ([\d,]+) of/), convnextTrainable);
});

test("04-formats: every format loads completely and predicts exactly like the PyTorch checkpoint; the malicious pickle is refused", async () => {
  const r = await executed("04-formats");
  const rows = r.text.split("\n").filter((l) => /small_cnn|fashion_cnn/.test(l) && /│/.test(l));
  assert.equal(rows.length, 8, r.text);
  for (const row of rows) {
    const cells = row.split("│").map((s) => s.trim());
    assert.ok(cells.includes("1"), `coverage in ${row}`);
    assert.ok(cells.includes("0"), `max diff in ${row}`);
  }
  assert.match(r.text, /GraftUnsafePickleError: .*evil.*refused to call posix\.system/);
});

test("05-custom-loop: a hand-written loop over trainableVariables moves only the head", async () => {
  const r = await executed("05-custom-loop");
  assert.match(r.text, /keeping 14 of 18 entries; dropped: bn1\.num_batches_tracked, bn2\.num_batches_tracked, fc\.weight, fc\.bias/);
  assert.match(r.text, /trainable variables for the optimizer: fc\/kernel, fc\/bias/);
  assert.match(r.text, /weights that changed: fc\/kernel, fc\/bias\n/);
  assert.match(r.text, /frozen weights unchanged: 14 of 16/);
});

test("06-your-images: photos → imageFolder → loader → zoo resnet18 fine-tune (augmented, then cached) → confusion → predict", async () => {
  const r = await executed("06-your-images");
  assert.match(r.text, /daisy: 8 photos, rose: 8 photos, tulip: 8 photos/);
  assert.match(r.text, /compose\(\[resize\(256.*centerCrop\(224\), toTensor\(\), normalize/);
  assert.match(r.text, /one batch: \[ 8, 224, 224, 3 \] int32 · random steps: \[ 'randomResizedCrop/);
  assert.match(r.text, /loaded 100\/102 tensors/);
  assert.match(r.text, /GraftCacheError: Cannot cache frozen features: the training loader's transform has random steps/);
  assert.ok(number(r.text, /validation accuracy ([\d.]+)/) >= 0.66, "the head learns the colours");
  assert.ok(number(r.text, /validation: loss [\d.]+, accuracy ([\d.]+) %/) >= 66);
  const confusion = r.cells.flatMap((c) => c.outputs ?? []).find((o) => /Confusion matrix/.test(join(o.data?.["text/plain"])));
  assert.ok(confusion?.data?.["image/svg+xml"] && confusion.data["application/vnd.plotly.v1+json"], "the confusion chart has its SVG and plotly renderings");
  assert.match(r.text, /'rose [\d.]+ % · \w+ [\d.]+ % · \w+ [\d.]+ %'/);
});
