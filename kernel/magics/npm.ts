/**
 * `%npm install PKG… [--save-dev]`, `%npm ls`, `%npm uninstall PKG…` (any npm command): runs npm
 * in the notebook's project (see ../_env.ts), streaming its output; the packages are importable
 * in the next cell without a restart, with their types (or `@types/…`).
 */
import Module from "node:module";
import path from "node:path";
import type { MagicSpec } from "./registry";
import { tokenize } from "./args";
import { UsageError } from "./usage";
import { ensureEnv, installEnvResolution, notebookProject } from "../_env";
import { npmErrorLine, runNpm } from "../_npm";

const CHANGES = new Set(["install", "i", "add", "uninstall", "un", "remove", "rm", "r", "update", "up", "link", "ci", "prune", "dedupe"]);

/** npm failed: shown as one line `NpmError: …`, no stack. */
class NpmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NpmError";
    this.stack = `NpmError: ${message}`;
  }
}

/**
 * Forgets what node cached about `names` (every package, in a per-notebook environment: they
 * are all the user's) so a reinstalled or removed package is read again.
 */
function forget(dir: string, names: string[], all: boolean): void {
  const modules = path.join(dir, "node_modules") + path.sep;
  for (const file of Object.keys(require.cache)) {
    if (file.startsWith(modules) && (all || names.some((n) => file.startsWith(modules + n + path.sep)))) delete require.cache[file];
  }
  const cache = (Module as unknown as { _pathCache?: Record<string, string> })._pathCache;
  if (cache) for (const k of Object.keys(cache)) delete cache[k];
}

/** The `%npm` magic: npm's command line, run in the notebook's project. */
export const npm: MagicSpec = {
  name: "npm",
  kind: "line",
  summary:
    "Runs npm in the notebook's project: the nearest package.json upward from the notebook's folder, else a per-notebook\n" +
    "environment .graft/env next to the notebook. %npm install PKG… [--save-dev], %npm ls, %npm uninstall PKG…; the packages\n" +
    "import in the next cell, no restart, with their types.",
  args: { raw: "ARGS" },
  async run(args, ctx) {
    const argv = tokenize(String(args.args ?? ""));
    if (argv.length === 0) throw new UsageError("%npm: missing an npm command; usage: %npm install PKG… [--save-dev] | %npm ls | %npm uninstall PKG…");
    const cwd = process.cwd();
    const project = notebookProject(cwd);
    if (project.kind === "env") {
      ensureEnv(project.dir);
      installEnvResolution(cwd);
    }
    const changes = CHANGES.has(argv[0]);
    const where = project.kind === "env" ? `${project.dir} (this notebook's environment)` : project.dir;
    if (changes) process.stdout.write(`npm ${argv.join(" ")} in ${where}\n`);
    const result = await runNpm(argv, project.dir, (text) => process.stdout.write(text));
    // Whatever npm did (even when it failed half-way, or was stopped), node and the compiler read
    // the packages afresh; any %npm also makes packages installed from a terminal visible.
    const names = argv.slice(1).filter((a) => !a.startsWith("-") && !/^[.~/]|:|\.tgz$/.test(a)).map((a) => a.replace(/(.)@.*$/, "$1"));
    forget(project.dir, names, project.kind === "env");
    ctx.executor.reloadTypes();
    if (result.interrupted) throw Object.assign(new Error("Interrupted asynchronously: npm was stopped"), { name: "KeyboardInterrupt" });
    if (result.code !== 0) throw new NpmError(`npm ${argv[0]} failed: ${npmErrorLine(result.output)}`);
    if (changes) process.stdout.write("Done: import the packages in the next cell (no restart needed).\n");
    return undefined;
  },
};
