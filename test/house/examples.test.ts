/**
 * Every `@example` in src/ and kernel/ compiles against graft's real types: each block becomes a
 * function in a file of its own, with what its module has in scope (its exports and imports),
 * graft's public names (as a notebook cell has them from the kernel's prelude), `tf`, `assert`,
 * `fs`, `path`, and the few values examples take as given (a model and tensors); the TypeScript
 * compiler checks all of them at once. Then every example of src/ that stands on its own (it
 * names no file or URL and builds whatever model or tensor it uses) runs, in one child process in
 * an empty folder, and must not throw.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { examples, readmeExamples, ROOT } from "./_examples";

const DIR = path.join(ROOT, "test", ".fixtures", "examples");
const GIVEN = ["model", "x", "y", "xs", "ys"];

/** Whether an example runs as it is: no file, folder, URL or download (`weights:`), and no value taken as given. */
function standsAlone(file: string, code: string): boolean {
  if (!file.startsWith("src")) return false; // the kernel's examples need a running kernel
  if (/\.(pth|pt|bin|h5|keras|jpe?g|png|safetensors|npy|npz|json|svg|html)\b|photos\/|file:\/\/|https?:\/\/|weights: "/.test(code)) return false;
  return GIVEN.every((v) => new RegExp(`\\b(const|let) ${v}\\b`).test(code) || !new RegExp(`\\b${v}\\b`).test(code));
}

/** The module's own value imports from relative paths, re-rooted for a file in `DIR`: names an example may use as its module does. */
function moduleImports(file: string, taken: Set<string>): string[] {
  if (!file.endsWith(".ts")) return [];
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/^import \{([^}]*)\} from "(\.[^"]+)";/gm)) {
    const names = m[1].split(",").map((n) => n.trim()).filter((n) => n && !n.startsWith("type "))
      .filter((n) => !taken.has(n.split(/\s+as\s+/).pop()!));
    if (!names.length) continue;
    names.forEach((n) => taken.add(n.split(/\s+as\s+/).pop()!));
    const target = path.relative(DIR, path.join(ROOT, path.dirname(file), m[2])).split(path.sep).join("/");
    out.push(`import { ${names.join(", ")} } from "${target}";`);
  }
  return out;
}

function exportedNames(file: string): string[] {
  if (!file.endsWith(".ts")) return [];
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  return [...new Set([...text.matchAll(/^export (?:async )?(?:function\*?|const|let|class) (\w+)/gm)].map((m) => m[1]))];
}

test("every @example and every TypeScript snippet of the README compiles against graft's types", () => {
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  const graftNames = Object.keys(require(path.join(ROOT, "src")) as object).filter((n) => n !== "default" && n !== "tf");
  const where = new Map<string, string>();
  const runnable: string[] = [];
  [...examples(), ...readmeExamples()].forEach((e, i) => {
    const mod = path.relative(DIR, path.join(ROOT, e.file)).replace(/\.ts$/, "").split(path.sep).join("/");
    const own = exportedNames(e.file);
    const taken = new Set([...own, "fs", "path", "fsOpen", "graft", "tf", "assert"]);
    const imported = moduleImports(e.file, taken);
    const fromGraft = graftNames.filter((n) => !taken.has(n));
    const name = `ex${String(i).padStart(3, "0")}.ts`;
    where.set(name, `${e.file}:${e.line}`);
    if (standsAlone(e.file, e.code)) runnable.push(name);
    fs.writeFileSync(path.join(DIR, name), [
      `// ${e.file}:${e.line}`,
      `import * as graft from "../../../src";`,
      `import { tf } from "../../../src";`,
      `import { ${fromGraft.join(", ")} } from "../../../src";`,
      `import assert from "node:assert/strict";`,
      `import fs from "node:fs"; import path from "node:path"; import { open as fsOpen } from "node:fs/promises";`,
      own.length && e.file.endsWith(".ts") ? `import { ${own.join(", ")} } from "${mod}";` : "",
      ...imported,
      `declare const model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, xs: tf.Tensor, ys: tf.Tensor;`,
      `export async function example() {`,
      e.code,
      `}`,
      "",
    ].join("\n"));
  });
  fs.writeFileSync(path.join(DIR, "tsconfig.json"), JSON.stringify({
    extends: "../../../tsconfig.test.json",
    compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false, allowUnreachableCode: true },
    include: ["*.ts"],
  }));
  let out = "";
  try {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", DIR], { encoding: "utf8" });
  } catch (err) {
    out = String((err as { stdout?: string }).stdout ?? err);
  }
  const errors = out.split("\n").filter((l) => /error TS/.test(l)).map((l) => {
    const m = /^(?:.*\/)?(ex\d+\.ts)\((\d+),\d+\): (.*)$/.exec(l);
    return m ? `${where.get(m[1])}: ${m[3]}` : l;
  });
  assert.equal(errors.length, 0, `${errors.length} example errors:\n${errors.join("\n")}`);
  fs.writeFileSync(path.join(DIR, "runnable.json"), JSON.stringify(runnable.map((name) => ({ name, where: where.get(name) }))));
});

test("every @example of src/ that stands on its own runs without throwing", () => {
  const list = JSON.parse(fs.readFileSync(path.join(DIR, "runnable.json"), "utf8")) as { name: string; where: string }[];
  assert.ok(list.length >= 50, `only ${list.length} runnable examples found`);
  const runner = path.join(DIR, "run_all.ts");
  fs.writeFileSync(runner, `
const DIR = ${JSON.stringify(DIR)};
const list: { name: string; where: string }[] = ${JSON.stringify(list)};
(async () => {
  const failed: string[] = [];
  for (const { name, where } of list) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(DIR + "/" + name);
      await mod.example();
    } catch (err) {
      failed.push(where + ": " + String((err as Error)?.message ?? err).split("\\n")[0]);
    }
  }
  console.log(JSON.stringify({ ran: list.length, failed }));
})();
`);
  const cwd = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "graft-examples-"));
  const tsx = require.resolve("tsx", { paths: [ROOT] }).replace(/[/\\]dist[/\\].*$/, "");
  const out = execFileSync(process.execPath, ["--import", pathToFileURL(path.join(tsx, "dist", "loader.mjs")).href, runner], { cwd, encoding: "utf8", maxBuffer: 64 << 20, timeout: 600_000 });
  fs.rmSync(cwd, { recursive: true, force: true });
  const result = JSON.parse(out.trim().split("\n").pop()!) as { ran: number; failed: string[] };
  assert.deepEqual(result.failed, [], `${result.failed.length} of ${result.ran} examples threw`);
});
