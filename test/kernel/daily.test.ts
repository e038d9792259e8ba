// The rough edges a user meets, through the real kernel: Shift-Tab inside a call, docs as
// Markdown, %lsmagic's table and 80-column text, no internals in completion or %help, errors
// in user terms with %xmode, cell positions on the user's own lines, the help link.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, ensureBuilt } from "./_build";
import { KernelClient } from "./_client";

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "graft-daily-"));
let k: KernelClient;

before(async () => {
  ensureBuilt();
  k = await KernelClient.start({ cwd: TMP });
  const doc = [
    "/**",
    " * Scales a value.",
    " *",
    " * ```ts",
    " * scale(2, 3); // 6",
    " * ```",
    " * @param x the value",
    " * @param factor how much",
    " * @returns the scaled value",
    " * @throws RangeError when factor is negative",
    " * @example",
    " * scale(1, 2);",
    " */",
    "function scale(x: number, factor: number): number { if (factor < 0) throw new RangeError(\"negative\"); return x * factor; }",
  ].join("\n");
  const r = await k.execute(doc);
  assert.equal(r.reply.content.status, "ok", JSON.stringify(r.reply.content));
});
after(async () => {
  await k?.close();
  fs.rmSync(TMP, { recursive: true, force: true });
});

const inspect = (code: string, cursor = code.length) => k.request("inspect_request", { code, cursor_pos: cursor, detail_level: 0 });

test("Shift-Tab inside a call's parentheses shows the callee: f(|, f(a, |, nested, graft's own", async () => {
  for (const [code, cursor] of [["scale(", 6], ["scale(1, ", 9], ["scale(1, 2)", 9], ["Math.max(scale(", 15], ["const y = scale(\n  1,\n  ", 24]] as const) {
    const r = await inspect(code, cursor);
    assert.equal(r.reply.content.found, true, `${JSON.stringify(code)} at ${cursor}`);
    assert.match(r.reply.content.data["text/plain"], /^function scale\(x: number, factor: number\): number/, code);
  }
  const outer = await inspect("Math.max(1, ", 12);
  assert.match(outer.reply.content.data["text/plain"], /max\(/);
  const graft = await inspect("loadWeights(", 12);
  assert.equal(graft.reply.content.found, true, JSON.stringify(graft.reply.content));
  assert.match(graft.reply.content.data["text/plain"], /loadWeights/);
  const none = await inspect("const s = 'scale(", 17);
  assert.equal(none.reply.content.found, false);
});

test("docs: Markdown with @param/@returns/@throws/@example; the plain text has no ``` fences", async () => {
  const r = await inspect("scale(1, ", 9);
  const plain: string = r.reply.content.data["text/plain"];
  const md: string = r.reply.content.data["text/markdown"];
  assert.ok(!plain.includes("```"), plain);
  assert.match(plain, /Scales a value\./);
  assert.match(plain, /^ {4}scale\(2, 3\); \/\/ 6$/m);
  assert.match(plain, /Parameters:\n {2}x — the value\n {2}factor — how much/);
  assert.match(plain, /Returns: the scaled value/);
  assert.match(plain, /Throws: RangeError when factor is negative/);
  assert.match(plain, /Example:\n {4}scale\(1, 2\);/);
  assert.match(md, /^```ts\nfunction scale\(x: number, factor: number\): number\n```/);
  assert.match(md, /- `x` — the value/);
  assert.match(md, /\*\*Returns:\*\* the scaled value/);
  assert.match(md, /\*\*Throws:\*\* RangeError/);
  assert.match(md, /\*\*Example\*\*\n\n```ts\nscale\(1, 2\);\n```/);
  const help = await k.execute("%help scale");
  const page = help.reply.content.payload[0].data;
  assert.ok(!page["text/plain"].includes("```"));
  assert.match(page["text/markdown"], /\*\*Returns:\*\*/);
});

test("%lsmagic: an HTML table, and plain text within 80 columns, no word cut, every summary whole", async () => {
  const r = await k.execute("%lsmagic");
  const shown = r.iopub.find((m) => m.header.msg_type === "display_data")!.content.data;
  const plain: string = shown["text/plain"];
  for (const line of plain.split("\n")) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
  const flat = plain.replace(/\s+/g, " ");
  assert.ok(flat.includes("--strict fails unless everything matches."), "the long summary is whole");
  assert.ok(flat.includes("%load_weights FILE [into MODEL] [--strict] [--dry-run] [--skip PATTERN] [--rename FROM=TO]"));
  for (const m of ["%npm [ARGS…]", "%xmode [MODE]"]) assert.ok(flat.includes(m), m);
  // No word broken across lines: every word of the plain text is a word of the HTML.
  const html: string = shown["text/html"];
  assert.match(html, /^<table class="graft-lsmagic">/);
  assert.match(html, /<td[^>]*><code>%freeze PATTERN \[on MODEL\]<\/code><\/td>/);
  const htmlWords = new Set(html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&amp;/g, "&").split(/\s+/));
  for (const w of plain.split(/\s+/).filter(Boolean)) assert.ok(htmlWords.has(w), `"${w}" is not a whole word of the table`);
});

test("completion and %help never offer the kernel's plumbing or _ names", async () => {
  const hidden = ["BRIDGE_KEY", "JUPYTER_DISPLAY", "NO_RESULT", "kernelBridge"];
  const c = await k.request("complete_request", { code: "graft.", cursor_pos: 6 });
  const matches: string[] = c.reply.content.matches;
  assert.ok(matches.includes("loadWeights") && matches.includes("freeze"), matches.join(","));
  for (const h of hidden) assert.ok(!matches.includes(h), `${h} offered`);
  assert.ok(!matches.some((m) => m.startsWith("_")), matches.filter((m) => m.startsWith("_")).join(","));
  const typed = await k.request("complete_request", { code: "graft.kern", cursor_pos: 10 });
  assert.ok(!typed.reply.content.matches.includes("kernelBridge"));
  const h = await k.execute("%help graft.BRIDGE_KEY");
  assert.equal(h.reply.content.ename, "UsageError");
});

test("a missing file: the first line in user terms, library frames hidden, %xmode verbose shows them", async () => {
  const r = await k.execute('await graft.open("x.pth")');
  assert.equal(r.reply.content.ename, "ENOENT");
  assert.equal(r.reply.content.evalue, `no such file "x.pth" (cwd: ${TMP})`);
  const tb: string[] = r.reply.content.traceback;
  assert.equal(tb[0], `ENOENT: no such file "x.pth" (cwd: ${TMP})`);
  assert.ok(!tb.some((l) => /dist[\\/]src|node:internal|tslab/.test(l)), tb.join("\n"));
  assert.match(tb.join("\n"), /hidden; %xmode verbose shows them/);
  const v = await k.execute("%xmode verbose");
  assert.match(v.iopub.map((m) => m.content.text ?? "").join(""), /Exception reporting mode: Verbose/);
  const rv = await k.execute('await graft.open("x.pth")');
  assert.match(rv.reply.content.traceback.join("\n"), /dist[\\/]src[\\/]checkpoint[\\/]open\.js/);
  await k.execute("%xmode minimal");
  const rm = await k.execute('await graft.open("x.pth")');
  assert.deepEqual(rm.reply.content.traceback, [`ENOENT: no such file "x.pth" (cwd: ${TMP})`]);
  const bad = await k.execute("%xmode loud");
  assert.match(bad.reply.content.evalue, /unknown mode "loud"; use one of Plain, Context, Verbose, Minimal/);
  await k.execute("%xmode context");
});

test("runtime positions are the user's own lines and columns; Context shows the line with a caret", async () => {
  const one = await k.execute("scale(1, -1)");
  assert.equal(one.reply.content.ename, "RangeError");
  const tb: string[] = one.reply.content.traceback;
  assert.ok(tb.some((l) => /at scale \(<cell>:14:\d+\)/.test(l)) || tb.some((l) => /<cell>:1:1\b/.test(l)), tb.join("\n"));
  assert.ok(tb.some((l) => /<cell>:1:1\)?$/.test(l)), tb.join("\n"));
  const multi = await k.execute('const a: number = 1;\nconst b: string = "x";\nfunction g(s: string) {\n  return (null as any).foo + s;\n}\ng(b);');
  const mt: string[] = multi.reply.content.traceback;
  assert.ok(mt.some((l) => /at g \(<cell>:4:\d+\)/.test(l)), mt.join("\n"));
  assert.ok(mt.some((l) => /<cell>:6:1\)?$/.test(l)), mt.join("\n"));
  assert.ok(mt.includes("  4 |   return (null as any).foo + s;"), mt.join("\n"));
  const timed = await k.execute("%time scale(1, -1)");
  assert.equal(timed.reply.content.ename, "RangeError", JSON.stringify(timed.reply.content));
  assert.equal(timed.reply.content.traceback[0], "RangeError: negative");
  await k.execute("%xmode plain");
  const plain = await k.execute("g(b)");
  assert.ok(!plain.reply.content.traceback.some((l: string) => l.includes(" | ")));
  await k.execute("%xmode context");
});

test("no dead help link: the banner names the README shipped in the package", async () => {
  const { reply } = await k.request("kernel_info_request", {});
  assert.deepEqual(reply.content.help_links, []);
  const readme = path.join(ROOT, "README.md");
  assert.ok(String(reply.content.banner).includes(`the README is ${readme}.`), reply.content.banner);
  assert.ok(fs.existsSync(readme));
});
