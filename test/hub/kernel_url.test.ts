/**
 * `%load_weights URL into model` in the real kernel goes through PyTorch's hub cache: the first
 * run downloads from the mirror (GRAFT_HUB_MIRROR, a local server), the second makes no request.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureBuilt } from "../kernel/_build";
import { KernelClient, textOf } from "../kernel/_client";
import { startServer, type TestServer } from "./_server";

let server: TestServer;
let k: KernelClient;
let home = "";
let name = "";
let want: number[] = [];

before(async () => {
  ensureBuilt();
  server = await startServer();
  home = fs.mkdtempSync(path.join(os.tmpdir(), "graft-kernel-home-"));
  const file = path.join(home, "mlp.pth");
  want = JSON.parse(execFileSync("/usr/bin/python3", ["-c", `
import json, sys, torch
torch.manual_seed(int(sys.argv[2]))
m = torch.nn.Sequential()
m.add_module("fc1", torch.nn.Linear(4, 3))
torch.save(m.state_dict(), sys.argv[1])
print(json.dumps(m.fc1.weight.t().flatten().tolist()))
`, file, String(Math.floor(Math.random() * 1e6))], { encoding: "utf8" }));
  const bytes = fs.readFileSync(file);
  name = `mlp-${createHash("sha256").update(bytes).digest("hex").slice(0, 8)}.pth`;
  server.files.set(`/m/${name}`, bytes);
  process.env.TORCH_HOME = home;
  process.env.GRAFT_HUB_MIRROR = `${server.base}m/`;
  k = await KernelClient.start({ cwd: home });
  const r = await k.execute('const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], name: "fc1" })] });');
  assert.equal(r.reply.content.status, "ok", JSON.stringify(r.reply.content));
});
after(async () => {
  await k?.close();
  await server?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

test("%load_weights https://… into model downloads once into $TORCH_HOME/hub/checkpoints, then uses the cache", async () => {
  const url = `https://example.invalid/models/${name}`;
  const first = await k.execute(`%load_weights ${url} into model --strict`);
  assert.equal(first.reply.content.status, "ok", JSON.stringify(first.reply.content));
  assert.equal(server.requests.length, 1);
  assert.ok(fs.existsSync(path.join(home, "hub", "checkpoints", name)));
  const got = await k.execute("JSON.stringify(Array.from(model.getLayer('fc1').getWeights()[0].dataSync()))");
  const values: number[] = JSON.parse(JSON.parse(textOf(got.iopub[1]).replace(/^'|'$/g, '"')));
  values.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `fc1 kernel[${i}] = ${v}, PyTorch ${want[i]}`));
  const again = await k.execute(`%load_weights ${url} into model --strict`);
  assert.equal(again.reply.content.status, "ok", JSON.stringify(again.reply.content));
  assert.equal(server.requests.length, 1, "the second load is served from the cache");
});
