// `graft run`: notebooks executed headless through the real graft kernel under Debian's nbclient.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, ROOT, ensureBuilt } from "./_build";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  nb: any;
  html?: string;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "graft-run-test-"));
const runs = new Map<string, Promise<Run>>();

function run(name: string, html = false): Promise<Run> {
  const out = path.join(tmp, `${name}.ipynb`);
  const args = [CLI, "run", path.join(ROOT, "test", "kernel", "notebooks", `${name}.ipynb`), "--output", out, "--timeout", "120"];
  if (html) args.push("--html", path.join(tmp, `${name}.html`));
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: tmp }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      const nb = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : undefined;
      const h = html && fs.existsSync(path.join(tmp, `${name}.html`)) ? fs.readFileSync(path.join(tmp, `${name}.html`), "utf8") : undefined;
      resolve({ code: Number(code), stdout, stderr, nb, html: h });
    });
  });
}

const text = (x: string | string[]) => (Array.isArray(x) ? x.join("") : x);

before(() => {
  ensureBuilt();
  // The three notebooks run in parallel: three kernels, one per notebook.
  runs.set("basic", run("basic", true));
  runs.set("type-error", run("type-error"));
  runs.set("throws", run("throws"));
});

test("a notebook runs through the graft kernel: every cell has outputs and none errors", async () => {
  const r = await runs.get("basic")!;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /executed notebook: .*basic\.ipynb/);
  assert.equal(r.nb.metadata.kernelspec.name, "graft");
  assert.equal(r.nb.metadata.language_info.name, "typescript");
  const cells = r.nb.cells;
  for (const [i, c] of cells.entries()) {
    assert.ok(c.outputs.length > 0, `cell ${i + 1} has no outputs`);
    assert.ok(!c.outputs.some((o: any) => o.output_type === "error"), `cell ${i + 1} errored: ${JSON.stringify(c.outputs)}`);
  }
  // prelude names (engine, tf, display) are in scope; stdout and the last value are separate outputs
  assert.equal(text(cells[0].outputs[0].text), "hello from graft\n");
  assert.equal(cells[0].outputs[1].output_type, "execute_result");
  assert.equal(text(cells[0].outputs[1].data["text/plain"]), "'wasm'");
  // a Tensor renders with dtype, shape and values
  assert.match(text(cells[1].outputs[0].data["text/plain"]), /Tensor float32 \[2, 2\][\s\S]*\[1, 2, 3, 4\]/);
  // a LayersModel renders as a summary with Trainable/Frozen columns (fc1 frozen: 4*3+3 = 15)
  const model = text(cells[2].outputs[0].data["text/html"]);
  assert.match(model, /<th>Trainable<\/th><th>Frozen<\/th>/);
  assert.match(text(cells[2].outputs[0].data["text/plain"]), /fc1\s+Dense\s+\[None,3\]\s+0\s+15\s+0/);
  // `import … from "graft"` resolves and display() sends a multi-mime bundle
  assert.equal(cells[3].outputs[0].output_type, "display_data");
  assert.equal(text(cells[3].outputs[0].data["text/html"]), "<b>rich</b>");
  assert.equal(text(cells[3].outputs[1].data["text/plain"]), "true");
  // %time masks its line and times the rest of the cell
  assert.match(text(cells[4].outputs[0].text), /^Wall time: [\d.]+ m?s\n$/);
  assert.equal(text(cells[4].outputs[1].data["text/plain"]), "499500");
  // tf is a namespace for types too, and a cell's own declaration of a prelude name wins
  assert.equal(text(cells[5].outputs[0].data["text/plain"]), "[ [ 2, 3 ], 'mine' ]");
  assert.match(r.html ?? "", /hello from graft/);
});

test("a TypeScript type error makes graft run exit non-zero with the cell number, line and column", async () => {
  const r = await runs.get("type-error")!;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cell 2 failed: TypeScriptError: line 1, column 5: Type 'string' is not assignable to type 'number'\./);
  const err = r.nb.cells[1].outputs.find((o: any) => o.output_type === "error");
  assert.equal(err.ename, "TypeScriptError");
  assert.deepEqual(err.traceback.slice(1), ['  let x: number = "not a number";', "      ^"]);
});

test("a thrown exception makes graft run exit non-zero with the cell number and message, and stops there", async () => {
  const r = await runs.get("throws")!;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cell 2 failed: RangeError: boom from cell 2/);
  const err = r.nb.cells[1].outputs.find((o: any) => o.output_type === "error");
  assert.equal(err.ename, "RangeError");
  assert.equal(err.evalue, "boom from cell 2");
  assert.equal(r.nb.cells[2].outputs.length, 0);
});
