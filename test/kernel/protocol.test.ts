// The kernel over the wire: messages beyond the conformance suite (execute_input, comm_info,
// errors, magics, display updates, interrupts, restart; late errors: late.test.ts), through a real kernel.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ensureBuilt } from "./_build";
import { KernelClient, textOf } from "./_client";

let k: KernelClient;
before(async () => {
  ensureBuilt();
  k = await KernelClient.start();
});
after(async () => k?.close());

const types = (r: { iopub: { header: { msg_type: string } }[] }) => r.iopub.map((m) => m.header.msg_type);

test("kernel_info_reply has status, versions and a banner naming the engine", async () => {
  const { reply } = await k.request("kernel_info_request", {});
  assert.equal(reply.header.msg_type, "kernel_info_reply");
  assert.equal(reply.content.status, "ok");
  assert.equal(reply.content.implementation, "graft");
  assert.match(reply.content.language_info.version, /^\d+\.\d+/);
  assert.match(reply.content.banner, /engine wasm/);
});

test("execute_input comes first on iopub, with the code and the execution count", async () => {
  const r = await k.execute("1 + 1");
  assert.equal(r.iopub[0].header.msg_type, "execute_input");
  assert.equal(r.iopub[0].content.code, "1 + 1");
  assert.equal(r.iopub[0].content.execution_count, r.reply.content.execution_count);
  assert.deepEqual(types(r), ["execute_input", "execute_result"]);
});

test("comm_info_request gets a comm_info_reply", async () => {
  const { reply } = await k.request("comm_info_request", { target_name: "jupyter.widget" });
  assert.equal(reply.header.msg_type, "comm_info_reply");
  assert.deepEqual(reply.content, { status: "ok", comms: {} });
});

test("a thrown error is one error message with ename/evalue/traceback, no stderr", async () => {
  const r = await k.execute('function f() { throw new TypeError("bad input"); }\nf();');
  assert.deepEqual(types(r), ["execute_input", "error"]);
  assert.equal(r.reply.content.status, "error");
  assert.equal(r.reply.content.ename, "TypeError");
  assert.equal(r.reply.content.evalue, "bad input");
  assert.equal(r.iopub[1].content.traceback[0], "TypeError: bad input");
  assert.ok(r.iopub[1].content.traceback.some((l: string) => l.includes("<cell>")));
});

test("magic lines are masked with equal-length spaces: diagnostics, completion and inspect offsets stay right", async () => {
  const r = await k.execute('%engine\nlet n: number = "x";');
  assert.equal(r.reply.content.ename, "TypeScriptError");
  assert.match(r.reply.content.evalue, /^line 2, column 5: Type 'string' is not assignable to type 'number'/);
  const code = "%engine\nMath.ma";
  const c = await k.request("complete_request", { code, cursor_pos: code.length });
  assert.ok(c.reply.content.matches.includes("max"));
  assert.equal(c.reply.content.cursor_start, code.length - 2);
  const full = "%engine\nMath.max";
  const i = await k.request("inspect_request", { code: full, cursor_pos: full.length, detail_level: 0 });
  assert.equal(i.reply.content.found, true);
  assert.match(i.reply.content.data["text/plain"], /max/);
});

test("%engine warns when tfjs computes on another backend than graft chose, and stops once it is back", async () => {
  await k.execute('await tf.setBackend("cpu");');
  const moved = textOf((await k.execute("%engine")).iopub[1]);
  assert.match(moved, /^engine: wasm — /);
  assert.match(moved, /\nwarning: tfjs computes on "cpu", not on "wasm" as graft chose.*await tf\.setBackend\("wasm"\)/);
  await k.execute('await tf.setBackend("wasm");');
  assert.doesNotMatch(textOf((await k.execute("%engine")).iopub[1]), /warning/);
});

test("magics: %lsmagic, %engine, %help, completion, one-line usage errors", async () => {
  const ls = await k.execute("%lsmagic");
  const listing = textOf(ls.iopub.find((m) => m.header.msg_type === "display_data")!).replace(/\s+/g, " ");
  for (const m of ["%load_weights FILE [into MODEL] [--strict] [--dry-run] [--skip PATTERN] [--rename FROM=TO]", "%freeze PATTERN [on MODEL]", "%unfreeze PATTERN [on MODEL]", "%params [MODEL]", "%inspect FILE", "%engine", "%time [CODE…]", "%help NAME"]) {
    assert.ok(listing.includes(m), `${m} missing from:\n${listing}`);
  }
  const eng = await k.execute("%engine");
  assert.match(textOf(eng.iopub[1]), /^engine: wasm — /);
  const help = await k.execute("%help load_weights");
  assert.equal(help.reply.content.payload[0].source, "page");
  assert.match(help.reply.content.payload[0].data["text/plain"], /^%load_weights FILE \[into MODEL\]/);
  const q = await k.execute("load_weights?");
  assert.match(q.reply.content.payload[0].data["text/plain"], /^%load_weights FILE/);
  const c = await k.request("complete_request", { code: "%lo", cursor_pos: 3 });
  assert.deepEqual(c.reply.content.matches, ["%load_weights"]);
  const bad = await k.execute("%frobnicate 1");
  assert.deepEqual(types(bad), ["execute_input", "error"]);
  assert.equal(bad.reply.content.ename, "UsageError");
  assert.equal(bad.reply.content.evalue, "unknown line magic %frobnicate; %lsmagic lists them");
  assert.equal(bad.reply.content.traceback.length, 1);
  const missing = await k.execute("%inspect");
  assert.equal(missing.reply.content.evalue, "%inspect: missing FILE; usage: %inspect FILE");
  const noModel = await k.execute("%params");
  assert.match(noModel.reply.content.evalue, /^%params: no tf\.LayersModel variable in this notebook/);
});

test("%time times the cell; %time CODE times one statement", async () => {
  const r = await k.execute("%%time\nlet acc = 0;\nfor (let i = 0; i < 10; i++) acc += i;\nacc");
  assert.match(textOf(r.iopub[1]), /^Wall time: [\d.]+ m?s\n$/);
  assert.equal(textOf(r.iopub[2]), "45");
  const one = await k.execute("%time 2 ** 10");
  assert.match(textOf(one.iopub[1]), /^Wall time/);
  assert.equal(textOf(one.iopub[2]), "1024");
});

test("display handles: display_data with an id, update_display_data with the full bundle, clear_output", async () => {
  const r = await k.execute('const h = display({ toHTML: () => "<b>1</b>", toString: () => "one" }, { id: "progress" });\nh.update({ toHTML: () => "<b>2</b>", toString: () => "two" });\nclearOutput({ wait: true });\nh');
  assert.deepEqual(types(r), ["execute_input", "display_data", "update_display_data", "clear_output"]);
  assert.deepEqual(r.iopub[1].content.transient, { display_id: "progress" });
  assert.deepEqual(r.iopub[2].content.data, { "text/html": "<b>2</b>", "text/plain": "two" });
  assert.deepEqual(r.iopub[2].content.transient, { display_id: "progress" });
  assert.equal(r.iopub[3].content.wait, true);
});

test("rich results: Deno's Jupyter.display protocol and tensors", async () => {
  const deno = await k.execute('({ [Symbol.for("Jupyter.display")]() { return { "text/markdown": "# hi" }; } })');
  assert.equal(deno.iopub[1].content.data["text/markdown"], "# hi");
  assert.ok(deno.iopub[1].content.data["text/plain"]);
  const t = await k.execute("tf.tensor2d([[1.5, 2], [3, 4]])");
  assert.match(t.iopub[1].content.data["text/plain"], /^Tensor float32 \[2, 2\] \(4 values\); min 1\.5, max 4, mean 2\.625\n\[1\.5, 2, 3, 4\]$/);
});

test("SIGINT and interrupt_request both interrupt a synchronous loop; the kernel stays and runs the next cell", async () => {
  for (const how of ["signal", "message"]) {
    const running = k.execute("(globalThis as any).spins = 0;\nwhile (true) { (globalThis as any).spins++; }");
    setTimeout(() => (how === "message" ? k.request("interrupt_request", {}, "control") : k.proc.kill("SIGINT")), 1500);
    const r = await running;
    assert.equal(r.reply.content.status, "error", how);
    assert.equal(r.reply.content.ename, "KeyboardInterrupt", how);
    assert.equal(textOf((await k.execute("(globalThis as any).spins > 0")).iopub[1]), "true");
  }
});

test("interrupt_request (control channel) interrupts an awaited promise; SIGINT too", async () => {
  for (const how of ["message", "signal"]) {
    const running = k.execute("await new Promise((resolve) => setTimeout(resolve, 60000));");
    setTimeout(() => (how === "message" ? k.request("interrupt_request", {}, "control") : k.proc.kill("SIGINT")), 800);
    const r = await running;
    assert.equal(r.reply.content.ename, "KeyboardInterrupt", how);
    assert.equal(textOf((await k.execute('"alive"')).iopub[1]), "'alive'");
  }
});

test("shutdown_request with restart replies restart: true and ends the process", async () => {
  const { reply } = await k.request("shutdown_request", { restart: true }, "control");
  assert.equal(reply.header.msg_type, "shutdown_reply");
  assert.deepEqual(reply.content, { status: "ok", restart: true });
  assert.equal(await k.exited(), 0);
});
