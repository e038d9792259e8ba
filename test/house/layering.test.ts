/**
 * The layering of ARCHITECTURE.md §2, checked over the import graph of src/ and kernel/:
 * src never imports kernel; a `_private` module is imported only from inside the folder that owns
 * it; no import cycles; index files re-export by name (no `export * from`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const IMPORT = /(?:^|[^.\w])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|(?:^|[^.\w])import\s*\(\s*["']([^"']+)["']\s*\)|(?:^|[^.\w])require\s*\(\s*["']([^"']+)["']\s*\)|(?:^|[^.\w])import\s+["']([^"']+)["']/gm;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** Strips comments, so examples inside doc comments are not imports. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.normalize(path.join(path.dirname(from), spec));
  for (const cand of [base, `${base}.ts`, path.join(base, "index.ts")]) {
    if (fs.existsSync(path.join(ROOT, cand)) && fs.statSync(path.join(ROOT, cand)).isFile()) return cand;
  }
  if (fs.existsSync(path.join(ROOT, `${base}.js`))) return `${base}.js`;
  return undefined;
}

const FILES = [...sources("src"), ...sources("kernel")];
const GRAPH = new Map<string, string[]>();
for (const file of FILES) {
  const text = code(fs.readFileSync(path.join(ROOT, file), "utf8"));
  const deps: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    const target = resolve(file, spec);
    if (target && !deps.includes(target)) deps.push(target);
  }
  GRAPH.set(file, deps);
}

/** The folder allowed to import a private path: the parent of its first `_`-named segment. */
function owner(file: string): string | undefined {
  const parts = file.split(path.sep);
  const i = parts.findIndex((p, k) => k > 0 && p.startsWith("_"));
  return i < 0 ? undefined : parts.slice(0, i).join(path.sep);
}

/** ARCHITECTURE.md §2: a folder of src/ imports only folders of a lower layer. */
const LAYER: Record<string, number> = {
  errors: 0, _text: 0, _values: 0, engine: 0, _tfjs_private: 0.5,
  checkpoint: 1, data: 1, hub: 1, freeze: 1, native: 1, fused: 1,
  load: 2, display: 2,
  zoo: 3, save: 3, train: 3, plot: 3,
  index: 4,
};
const folderOf = (file: string): string => file.split(path.sep)[1].replace(/\.ts$/, "");

test("each folder of src/ imports only folders of a lower layer (ARCHITECTURE.md §2)", () => {
  const bad: string[] = [];
  for (const [file, deps] of GRAPH) {
    if (!file.startsWith("src")) continue;
    const from = folderOf(file);
    assert.ok(from in LAYER, `${from} (${file}) has no layer in the table`);
    for (const dep of deps) {
      const to = folderOf(dep);
      if (to !== from && !(LAYER[to] < LAYER[from])) bad.push(`${file} → ${dep} (${from}: layer ${LAYER[from]}, ${to}: layer ${LAYER[to]})`);
    }
  }
  assert.deepEqual(bad, []);
});

test("src/ never imports kernel/", () => {
  const bad = FILES.filter((f) => f.startsWith("src")).flatMap((f) => GRAPH.get(f)!.filter((d) => d.startsWith("kernel")).map((d) => `${f} → ${d}`));
  assert.deepEqual(bad, []);
});

test("a _private module is imported only from inside the folder that owns it", () => {
  const bad: string[] = [];
  for (const [file, deps] of GRAPH) {
    for (const dep of deps) {
      const own = owner(dep);
      if (own !== undefined && !(file + path.sep).startsWith(own + path.sep)) bad.push(`${file} → ${dep} (private to ${own}/)`);
    }
  }
  assert.deepEqual(bad, []);
});

test("no import cycles between files", () => {
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (f: string, stack: string[]): void => {
    if (state.get(f) === "done") return;
    if (state.get(f) === "open") {
      cycles.push([...stack.slice(stack.indexOf(f)), f].join(" → "));
      return;
    }
    state.set(f, "open");
    for (const d of GRAPH.get(f) ?? []) visit(d, [...stack, f]);
    state.set(f, "done");
  };
  for (const f of FILES) visit(f, []);
  assert.deepEqual(cycles, []);
});

test("index files re-export by name: no `export * from`", () => {
  const bad = FILES.filter((f) => /export\s*\*\s*from/.test(code(fs.readFileSync(path.join(ROOT, f), "utf8"))));
  assert.deepEqual(bad, []);
});
