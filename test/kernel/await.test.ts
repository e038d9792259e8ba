// Top-level `await` in every expression position TypeScript allows, through a real kernel:
// tslab missed `await (expr)`, `await (await x)` and `for await` (see kernel/_await.ts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ensureBuilt } from "./_build";
import { KernelClient, textOf, type Reply } from "./_client";

let k: KernelClient;
before(async () => {
  ensureBuilt();
  k = await KernelClient.start();
  const setup = await k.execute("const P = <T,>(v: T) => new Promise<T>((res) => setTimeout(() => res(v), 1));\nasync function* gen() { yield 1; yield 2; yield 3; }");
  assert.equal(setup.reply.content.status, "ok", JSON.stringify(setup.reply.content));
});
after(async () => k?.close());

const resultOf = (r: Reply) => textOf(r.iopub.find((m) => m.header.msg_type === "execute_result") ?? r.iopub[r.iopub.length - 1]);
const stdoutOf = (r: Reply) => r.iopub.filter((m) => m.header.msg_type === "stream").map(textOf).join("");

/** [cell, its execute_result] */
const FORMS: Array<[string, string]> = [
  ["const p1 = await (P(3));\np1", "3"],
  ["await (P(4))", "4"],
  ["await (P(4)), await (P(5))", "5"],
  ["let z = 1;\nz = await (P(12));\nz", "12"],
  ["function twice(x: number) { return 2 * x; }\ntwice(await P(5))", "10"],
  ["twice(await (P(6)))", "12"],
  ["[await P(1), await (P(2))]", "[ 1, 2 ]"],
  ["await (await P(P(7)))", "7"],
  ["await await P(8)", "8"],
  ["`v=${await (P(8))}`", "'v=8'"],
  ["true ? await (P(9)) : 0", "9"],
  ["false ? 0 : await P(9)", "9"],
  ["({ a: await (P(10)), b: { c: await P(11) } })", "{ a: 10, b: { c: 11 } }"],
  ["({ ...(await P({ s: 1 })) })", "{ s: 1 }"],
  ["[...(await P([1, 2]))]", "[ 1, 2 ]"],
  ["(await P([11]))[0]", "11"],
  ["(await P({ x: { y: 5 } }))?.x.y", "5"],
  ["(await P(null)) ?? await (P(6))", "6"],
  ["let acc = 0;\nfor await (const v of gen()) acc += v;\nacc", "6"],
  ["let acc2 = 0;\nfor await (const v of [P(1), P(2)]) { acc2 += await (P(v)); }\nacc2", "3"],
  ["let acc3 = 0;\nfor (const v of await (P([1, 2, 3]))) acc3 += v;\nacc3", "6"],
  ["const { d = await (P(4)) } = {} as { d?: number };\nd", "4"],
  ["const [e1, e2] = await (Promise.all([P(1), P(2)]));\ne1 + e2", "3"],
  ["typeof (await (P(1)))", "'number'"],
  ["await (P(2)) * await (P(3)) + -(await P(1))", "5"],
  ["await (P(2) as Promise<number>)", "2"],
  ["await (<Promise<string>>P(\"s\"))", "'s'"],
  ["new (await P(Date))(0).getTime()", "0"],
  ["(await import(\"node:path\")).basename(\"/a/b.ts\")", "'b.ts'"],
  ["let w = 0;\nwhile ((await (P(w))) < 3) w++;\nw", "3"],
  ["let f = 1;\nf ||= await (P(2));\nf &&= await (P(3));\nf", "3"],
  ["switch (await (P(2))) { case 2: 'two'; }\nawait (P('after switch'))", "'after switch'"],
  ["let t = 0;\ntry { await (Promise.reject(new Error('x'))); } catch { t = await (P(1)); } finally { t += 1; }\nt", "2"],
  ["{ const r = await (P(2)); (globalThis as any).blockResult = r; }\n(globalThis as any).blockResult", "2"],
  ["label: for (const x of [1, 2]) { if ((await (P(x))) === 1) continue label; (globalThis as any).lab = x; }\n(globalThis as any).lab", "2"],
  ["const tag = (s: TemplateStringsArray, ...v: number[]) => v.join('+');\ntag`${await (P(1))}${await P(2)}`", "'1+2'"],
  ["const fa = async () => await (P(1));\nawait (fa())", "1"],
  ["class K { static v = 1; m() { return 2; } }\nnew K().m() + await (P(K.v))", "3"],
];

test(`await in ${FORMS.length} expression positions at top level`, async () => {
  for (const [code, want] of FORMS) {
    const r = await k.execute(code);
    assert.equal(r.reply.content.status, "ok", `${code}\n→ ${JSON.stringify(r.reply.content)}`);
    assert.equal(resultOf(r), want, code);
  }
});

test("declarations made with await (expr) keep their types in later cells", async () => {
  await k.execute("const n = await (P(41));\nconst s = await (P('x'));");
  const r = await k.execute("n.toFixed(1) + s.toUpperCase()");
  assert.equal(resultOf(r), "'41.0X'");
  const bad = await k.execute("const wrong: string = await (P(1));");
  assert.equal(bad.reply.content.ename, "TypeScriptError");
  assert.match(bad.reply.content.evalue, /^line 1, column 7: Type 'number' is not assignable to type 'string'/);
});

test("await inside functions is left as it was; a plain `await` in a sync function is still an error", async () => {
  const sync = await k.execute("function g() { return 1; }\ng()");
  assert.equal(resultOf(sync), "1");
  const bad = await k.execute("function h() { await P(1); }");
  assert.equal(bad.reply.content.status, "error");
  assert.equal(bad.reply.content.ename, "TypeScriptError");
});

test("a rejected await (expr) fails the cell with its own error; output before it is kept", async () => {
  const r = await k.execute('console.log("before");\nawait (Promise.reject(new RangeError("nope")));\nconsole.log("after");');
  assert.equal(r.reply.content.status, "error");
  assert.equal(r.reply.content.ename, "RangeError");
  assert.equal(stdoutOf(r), "before\n");
});

test("the issue's form: const p = await (tf.softmax(x).data())", async () => {
  const r = await k.execute("const x = tf.tensor1d([0, 0]);\nconst p = await (tf.softmax(x).data());\nArray.from(p)");
  assert.equal(r.reply.content.status, "ok", JSON.stringify(r.reply.content));
  assert.equal(resultOf(r), "[ 0.5, 0.5 ]");
});
