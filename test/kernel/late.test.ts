// Errors that escape a cell (a rejection nobody handled, a throw in a timer) through a real
// kernel: one from an earlier cell is shown on a later cell's stderr, marked with where it came
// from, and that cell still runs and replies ok; one the running cell causes fails that cell.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ensureBuilt } from "./_build";
import { KernelClient, textOf, type Reply } from "./_client";

let k: KernelClient;
before(async () => {
  ensureBuilt();
  k = await KernelClient.start();
});
after(async () => k?.close());

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const stderrOf = (r: Reply) => r.iopub.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map(textOf).join("");
const resultOf = (r: Reply) => textOf(r.iopub.find((m) => m.header.msg_type === "execute_result")!);

test("a late rejection is shown with the next cell, which runs and replies ok", async () => {
  // 50 ms, not the 10: a timer that fires before its own cell has replied fails that cell.
  const first = await k.execute('setTimeout(() => Promise.reject(new Error("late")), 50);\n"started"');
  assert.equal(first.reply.content.status, "ok");
  const n = first.reply.content.execution_count;
  await sleep(300);
  const next = await k.execute("(globalThis as any).ran = true;\n2 + 2");
  assert.equal(next.reply.content.status, "ok", JSON.stringify(next.reply.content));
  assert.equal(resultOf(next), "4");
  const err = stderrOf(next);
  assert.match(err, new RegExp(`^From an earlier cell \\(In \\[${n}\\]\\): an unhandled promise rejection \\(this cell runs on\\)\\nError: late\\n`));
  assert.match(err, /<cell>/);
  assert.equal(resultOf(await k.execute("(globalThis as any).ran")), "true");
  // Shown once: the cell after that is clean.
  assert.equal(stderrOf(await k.execute("3")), "");
});

test("a timer's exception from an earlier cell is shown with the next cell, which runs", async () => {
  const first = await k.execute('setTimeout(() => { throw new TypeError("t"); }, 50);\n1');
  const n = first.reply.content.execution_count;
  await sleep(300);
  const next = await k.execute("5");
  assert.equal(next.reply.content.status, "ok");
  assert.equal(resultOf(next), "5");
  assert.match(stderrOf(next), new RegExp(`^From an earlier cell \\(In \\[${n}\\]\\): an uncaught exception in a callback \\(this cell runs on\\)\\nTypeError: t\\n`));
});

test("an earlier cell's error that arrives while a later cell runs is shown there and does not fail it", async () => {
  const first = await k.execute('setTimeout(() => { throw new Error("mid"); }, 300);\nsetTimeout(() => Promise.reject("a string"), 400);');
  const n = first.reply.content.execution_count;
  const next = await k.execute("await new Promise((res) => setTimeout(res, 800));\n7");
  assert.equal(next.reply.content.status, "ok", JSON.stringify(next.reply.content));
  assert.equal(resultOf(next), "7");
  const err = stderrOf(next);
  assert.match(err, new RegExp(`From an earlier cell \\(In \\[${n}\\]\\): an uncaught exception in a callback \\(this cell runs on\\)\\nError: mid\\n`));
  assert.match(err, new RegExp(`From an earlier cell \\(In \\[${n}\\]\\): an unhandled promise rejection \\(this cell runs on\\)\\nThrown: a string\\n`));
});

test("the running cell's own escaped errors fail that cell, not the next", async () => {
  const own = await k.execute('Promise.reject(new RangeError("now"));\n8');
  assert.equal(own.reply.content.status, "error");
  assert.equal(own.reply.content.ename, "RangeError");
  assert.equal(own.reply.content.evalue, "now");
  const timer = await k.execute('setTimeout(() => { throw new Error("from a timer"); }, 10);\nawait new Promise((res) => setTimeout(res, 100));');
  assert.equal(timer.reply.content.status, "error");
  assert.equal(timer.reply.content.evalue, "from a timer");
  const after = await k.execute("9");
  assert.equal(after.reply.content.status, "ok");
  assert.equal(stderrOf(after), "");
});

test("values of every kind, rejected late, are shown; a flood is capped at 10 per cell and counted", async () => {
  await k.execute('for (const v of [undefined, null, 0, NaN, { a: 1 }, Symbol("s"), new Error(""), Object.create(null)]) setTimeout(() => Promise.reject(v), 50);');
  await sleep(300);
  const shown = await k.execute("10");
  assert.equal(shown.reply.content.status, "ok");
  const err = stderrOf(shown);
  assert.equal(err.match(/^From an earlier cell/gm)?.length, 8, err);
  for (const v of ["Thrown: undefined", "Thrown: null", "Thrown: NaN", "Thrown: { a: 1 }", "Thrown: Symbol(s)", "Error: \n"]) assert.ok(err.includes(v), `${v} missing from:\n${err}`);
  await k.execute('(globalThis as any).iv = setInterval(() => { throw new Error("tick"); }, 1);');
  const flood = await k.execute("await new Promise((res) => setTimeout(res, 300));\nclearInterval((globalThis as any).iv);\n11");
  assert.equal(flood.reply.content.status, "ok");
  assert.equal(resultOf(flood), "11");
  const ferr = stderrOf(flood);
  assert.equal(ferr.match(/^From an earlier cell/gm)?.length, 10);
  assert.match(ferr, /\((\d+) more errors from earlier cells were not shown\)\n$/);
  await sleep(50);
  assert.equal(stderrOf(await k.execute("12")), "");
  assert.equal(k.proc.exitCode, null);
});
