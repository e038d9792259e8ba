// %npm through the real kernel: local tarballs made by `npm pack` at test time (a CommonJS
// package with types, an ESM-only one), installed into a per-notebook environment and into a
// project, imported in the next cell without a restart; npm's failures as one line.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { ensureBuilt } from "./_build";
import { KernelClient, textOf, type Reply } from "./_client";

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "graft-npm-"));
const NOTEBOOK = path.join(TMP, "nb");
let k: KernelClient;
const tarballs: Record<string, string> = {};

/** Writes package `name` from `files` and packs it with npm; returns the tarball's path. */
function pack(name: string, files: Record<string, string>): string {
  const dir = path.join(TMP, "src", name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", TMP], { cwd: dir, encoding: "utf8" }).trim().split("\n").pop()!;
  return path.join(TMP, out);
}

const streams = (r: Reply) => r.iopub.filter((m) => m.header.msg_type === "stream").map(textOf).join("");
const result = (r: Reply) => r.iopub.filter((m) => m.header.msg_type === "execute_result").map(textOf).join("");
const ok = (r: Reply) => assert.equal(r.reply.content.status, "ok", JSON.stringify(r.reply.content) + streams(r));

before(async () => {
  ensureBuilt();
  tarballs.cjs = pack("cjs-typed", {
    "package.json": JSON.stringify({ name: "cjs-typed", version: "1.0.0", main: "index.js", types: "index.d.ts" }),
    "index.js": 'exports.greet = (who) => "hello " + who;\n',
    "index.d.ts": "/** Greets someone.\n * @param who whom to greet\n * @returns the greeting\n */\nexport declare function greet(who: string): string;\n",
  });
  tarballs.esm = pack("esm-only", {
    "package.json": JSON.stringify({ name: "esm-only", version: "2.0.0", type: "module", exports: "./index.js" }),
    "index.js": 'export default function shout(s) { return String(s).toUpperCase() + "!"; }\nexport const answer = 42;\n',
  });
  tarballs.untyped = pack("untyped-lib", {
    "package.json": JSON.stringify({ name: "untyped-lib", version: "0.3.0", main: "lib.js" }),
    "lib.js": "exports.twice = (n) => n * 2;\n",
  });
  tarballs.types = pack("types-untyped-lib", {
    "package.json": JSON.stringify({ name: "@types/untyped-lib", version: "0.3.0", types: "index.d.ts" }),
    "index.d.ts": "/** Doubles n. */\nexport declare function twice(n: number): number;\n",
  });
  tarballs.tla = pack("esm-tla", {
    "package.json": JSON.stringify({ name: "esm-tla", version: "1.0.0", type: "module", exports: "./index.js" }),
    "index.js": "const v = await Promise.resolve(7);\nexport default v;\nexport const ready = true;\n",
  });
  fs.mkdirSync(NOTEBOOK, { recursive: true });
  k = await KernelClient.start({ cwd: NOTEBOOK });
});
after(async () => {
  await k?.close();
  fs.rmSync(TMP, { recursive: true, force: true });
});

test("%npm install of a local tarball: the next cell imports it, with its types, no restart", async () => {
  const before = await k.execute('require("cjs-typed")');
  assert.equal(before.reply.content.status, "error");
  const inst = await k.execute(`%npm install ${tarballs.cjs}`);
  ok(inst);
  assert.match(streams(inst), /\.graft\/env \(this notebook's environment\)/);
  assert.match(streams(inst), /added 1 package/);
  assert.ok(fs.existsSync(path.join(NOTEBOOK, ".graft", "env", "node_modules", "cjs-typed", "index.js")));
  const use = await k.execute('import { greet } from "cjs-typed";\ngreet("notebook")');
  ok(use);
  assert.equal(result(use), "'hello notebook'");
  // The compiler sees the package's declarations: a wrong type is a TypeScript error.
  const typed = await k.execute('const n: number = greet("x");');
  assert.equal(typed.reply.content.ename, "TypeScriptError");
  assert.match(String(typed.reply.content.evalue), /Type 'string' is not assignable to type 'number'/);
});

test("an ESM-only package imports statically and with await import()", async () => {
  ok(await k.execute(`%npm install ${tarballs.esm}`));
  const stat = await k.execute('import shout from "esm-only";\nshout("hi")');
  ok(stat);
  assert.equal(result(stat), "'HI!'");
  const dyn = await k.execute('const m = await import("esm-only");\n[m.default("x"), m.answer]');
  ok(dyn);
  assert.equal(result(dyn), "[ 'X!', 42 ]");
});

test("an ES module with top-level await: await import() loads it; a static import says what to do", async () => {
  ok(await k.execute(`%npm install ${tarballs.tla}`));
  const dyn = await k.execute('const t = await import("esm-tla");\n[t.default, t.ready]');
  ok(dyn);
  assert.equal(result(dyn), "[ 7, true ]");
  const stat = await k.execute('import v from "esm-tla";\nv');
  assert.equal(stat.reply.content.ename, "ERR_REQUIRE_ASYNC_MODULE", JSON.stringify(stat.reply.content));
  assert.match(String(stat.reply.content.evalue), /esm-tla[\\/]index\.js is an ES module with top-level await: a static import in a cell cannot load it .*await import\("…"\)/);
});

test("a new version of a tarball replaces the old one in the same session", async () => {
  const v2 = pack("cjs-typed-v2", {
    "package.json": JSON.stringify({ name: "cjs-typed", version: "1.1.0", main: "index.js", types: "index.d.ts" }),
    "index.js": 'exports.greet = (who) => "hi again " + who;\n',
    "index.d.ts": "export declare function greet(who: string): string;\n",
  });
  const r = await k.execute(`%npm install ${v2}`);
  ok(r);
  const types = r.iopub.filter((m) => m.header.msg_type === "stream").length;
  assert.ok(types >= 2, "the header line and npm's output arrive as they come");
  // Cells that run after the install read the new code (names imported earlier keep theirs, as in JS).
  const use = await k.execute('require("cjs-typed").greet("you")');
  assert.equal(result(use), "'hi again you'");
  ok(await k.execute(`%npm install ${tarballs.cjs}`));
  assert.equal(result(await k.execute('require("cjs-typed").greet("old")')), "'hello old'");
});

test("%npm ls lists the environment; %npm uninstall removes a package", async () => {
  const ls = await k.execute("%npm ls");
  ok(ls);
  assert.match(streams(ls), /cjs-typed@1\.0\.0/);
  assert.match(streams(ls), /esm-only@2\.0\.0/);
  ok(await k.execute("%npm uninstall cjs-typed"));
  const gone = await k.execute('require("cjs-typed")');
  assert.equal(gone.reply.content.status, "error");
  assert.match(String(gone.reply.content.evalue), /Cannot find module 'cjs-typed'/);
});

test("@types/… installed next to an untyped package gives it types", async () => {
  ok(await k.execute(`%npm install ${tarballs.untyped} ${tarballs.types}`));
  assert.ok(fs.existsSync(path.join(NOTEBOOK, ".graft", "env", "node_modules", "@types", "untyped-lib", "index.d.ts")));
  const use = await k.execute('import { twice } from "untyped-lib";\ntwice(21)');
  ok(use);
  assert.equal(result(use), "42");
  const typed = await k.execute('twice("x")');
  assert.equal(typed.reply.content.ename, "TypeScriptError");
  assert.match(String(typed.reply.content.evalue), /'string' is not assignable to parameter of type 'number'/);
});

test("an interrupt stops a hanging npm at once; the kernel goes on", async () => {
  const sockets = new Set<import("node:net").Socket>();
  const server = http.createServer(() => {}); // never answers
  server.on("connection", (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    const t0 = Date.now();
    const running = k.execute(`%npm install graft-hangs-forever --registry=http://127.0.0.1:${port}/`);
    setTimeout(() => k.request("interrupt_request", {}, "control"), 2000);
    const r = await running;
    assert.equal(r.reply.content.ename, "KeyboardInterrupt", JSON.stringify(r.reply.content));
    assert.ok(Date.now() - t0 < 30_000, `took ${Date.now() - t0} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
  const after = await k.execute("6 * 7");
  assert.equal(result(after), "42");
});

test("npm's failures are one line with npm's reason, no traceback; the kernel goes on", async () => {
  const server = http.createServer((_req, res) => {
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"error":"Not found"}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await k.execute(`%npm install graft-no-such-package-zz --registry=http://127.0.0.1:${port}/ --fetch-retries=0`);
    assert.equal(r.reply.content.ename, "NpmError");
    assert.match(String(r.reply.content.evalue), /^npm install failed: E404: 404 Not Found - GET http:\/\/127\.0\.0\.1:\d+\/graft-no-such-package-zz/);
    assert.deepEqual(r.reply.content.traceback, [`NpmError: ${r.reply.content.evalue}`]);
  } finally {
    server.close();
  }
  // Offline: nothing listens on the registry's port.
  const closed = await new Promise<number>((resolve) => {
    const s = http.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const offline = await k.execute(`%npm install graft-offline-pkg --registry=http://127.0.0.1:${closed}/ --fetch-retries=0`);
  assert.equal(offline.reply.content.ename, "NpmError");
  assert.match(String(offline.reply.content.evalue), /^npm install failed: ECONNREFUSED: .*127\.0\.0\.1:\d+/);
  assert.ok(!String(offline.reply.content.evalue).includes("\n"));
  const missing = await k.execute(`%npm install ${path.join(TMP, "nope-1.0.0.tgz")}`);
  assert.equal(missing.reply.content.ename, "NpmError");
  assert.equal(missing.reply.content.traceback.length, 1);
  assert.match(String(missing.reply.content.evalue), /ENOENT|nope-1\.0\.0\.tgz/);
  const usage = await k.execute("%npm");
  assert.equal(usage.reply.content.ename, "UsageError");
  ok(await k.execute("1 + 1"));
});

test("with a package.json upward, %npm installs into that project (--save-dev kept)", async () => {
  const project = path.join(TMP, "project");
  const nb = path.join(project, "notebooks");
  fs.mkdirSync(nb, { recursive: true });
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "my-project", version: "1.0.0", private: true }));
  const k2 = await KernelClient.start({ cwd: nb });
  try {
    const r = await k2.execute(`%npm install ${tarballs.cjs} --save-dev`);
    ok(r);
    assert.match(streams(r), new RegExp(`in ${project.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`));
    const manifest = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8"));
    assert.ok(manifest.devDependencies?.["cjs-typed"], JSON.stringify(manifest));
    const use = await k2.execute('import { greet } from "cjs-typed";\ngreet("project")');
    ok(use);
    assert.equal(result(use), "'hello project'");
  } finally {
    await k2.close();
  }
});
