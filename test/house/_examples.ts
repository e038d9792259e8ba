/**
 * The `@example` blocks of graft's doc comments, as code: extraction, and the context they are
 * written against (the graft namespace, its module's own exports, a model, tensors, files).
 */
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface Example {
  /** Source file, relative to the repository root. */
  file: string;
  /** 1-based line of the `@example` tag. */
  line: number;
  /** Title after the tag, if any. */
  title: string;
  code: string;
}

function walk(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    return e.isDirectory() ? walk(rel) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [rel] : [];
  });
}

/** Every `@example` under `dirs`, in file order. */
export function examples(dirs = ["src", "kernel"]): Example[] {
  const out: Example[] = [];
  for (const file of dirs.flatMap(walk)) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
      const lines = m[1].split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
      const startLine = text.slice(0, m.index).split("\n").length;
      lines.forEach((l, i) => {
        const tag = /^@example\s*(.*)$/.exec(l);
        if (!tag) return;
        const body: string[] = [];
        for (let j = i + 1; j < lines.length && !/^@\w+/.test(lines[j]); j++) body.push(lines[j]);
        // a fenced example ends at its closing fence (prose may follow it in the same comment)
        const fences = body.map((b, k) => (/^```/.test(b.trim()) ? k : -1)).filter((k) => k >= 0);
        const picked = fences.length >= 2 ? body.slice(fences[0] + 1, fences[1]) : body.filter((b) => !/^```/.test(b.trim()));
        const code = picked.join("\n").trim();
        out.push({ file, line: startLine + i, title: tag[1].trim(), code });
      });
    }
  }
  return out;
}

/**
 * The README's TypeScript snippets (```ts fences), as examples of the file "README.md". Imports
 * of "graft" are dropped: graft's names are in scope as in a notebook cell.
 */
export function readmeExamples(): Example[] {
  const lines = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n");
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && lines[j].trim() !== "```") j++;
    const code = lines.slice(start, j).filter((l) => !/^import .* from "graft";\s*$/.test(l)).join("\n");
    out.push({ file: "README.md", line: start, title: "", code });
    i = j;
  }
  return out;
}
