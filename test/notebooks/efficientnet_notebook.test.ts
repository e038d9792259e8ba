// notebooks/07-efficientnet.ipynb runs top to bottom through the real graft kernel (`graft run`,
// Debian's nbclient) with no error output: the zoo efficientnetB0 takes every tensor of a
// torchvision checkpoint and reproduces torch's logits; its freeze counts are torch's.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, ROOT, ensureBuilt } from "../kernel/_build";

interface Output { output_type: string; text?: string | string[]; data?: Record<string, string | string[]>; ename?: string; evalue?: string }
interface Cell { cell_type: string; source: string | string[]; outputs?: Output[] }

const NAME = "07-efficientnet";
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "graft-notebook-efficientnet-"));
const join = (x: string | string[] | undefined) => (Array.isArray(x) ? x.join("") : x ?? "");
let result: { code: number; stderr: string; cells: Cell[]; text: string };

before(async () => {
  ensureBuilt();
  const output = path.join(OUT, `${NAME}.ipynb`);
  const args = [CLI, "run", path.join(ROOT, "notebooks", `${NAME}.ipynb`), "--output", output, "--html", path.join(OUT, `${NAME}.html`)];
  result = await new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      const cells: Cell[] = fs.existsSync(output) ? JSON.parse(fs.readFileSync(output, "utf8")).cells : [];
      const text = cells.flatMap((c) => c.outputs ?? []).map((o) => join(o.text) + join(o.data?.["text/plain"])).join("\n");
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr, cells, text });
    });
  });
});

function number(text: string, re: RegExp): number {
  const m = text.match(re);
  assert.ok(m, `no match for ${re} in:\n${text.slice(0, 3000)}`);
  return Number(m[1].replace(/,/g, ""));
}

test("07-efficientnet: the zoo efficientnetB0 loads torchvision's checkpoint, reproduces torch's logits and counts what torch counts", () => {
  const errors = result.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "error");
  assert.deepEqual(errors.map((e) => `${e.ename}: ${e.evalue}`), [], `${NAME} has error outputs`);
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  const text = result.text;
  assert.match(text, /loaded 311\/311 tensors, 100\.0 % of parameters/);
  assert.ok(number(text, /relative ([\d.e+-]+)\)/) <= 1e-4);
  const torchTop = text.match(/top-5 classes, torch: ([\d, ]+)/)?.[1];
  assert.equal(text.match(/top-5 classes, tfjs: +([\d, ]+)/)?.[1], torchTop);
  const torchCounts = JSON.parse(execFileSync("/usr/bin/python3", ["-c", `
import json, torchvision
m = torchvision.models.efficientnet_b0(num_classes=5)
frozen = tuple("features.%d." % i for i in range(6))
trainable = sum(p.numel() for n, p in m.named_parameters() if not n.startswith(frozen))
print(json.dumps({"trainable": trainable, "total": sum(p.numel() for p in m.parameters()) + sum(b.numel() for n, b in m.named_buffers() if "running" in n)}))
`], { encoding: "utf8" }));
  assert.equal(number(text, /trainable ([\d,]+) of/), torchCounts.trainable);
  assert.equal(number(text, /trainable [\d,]+ of ([\d,]+) parameters/), torchCounts.total);
  assert.match(text, /resize\(256, \{ interpolation: "bicubic" \}\), centerCrop\(224\)/);
});
