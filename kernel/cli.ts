#!/usr/bin/env node
/**
 * The `graft` command.
 *
 *   graft inspect FILE [--json]            what a checkpoint holds
 *   graft inspect FILE --against MODEL_JSON  what loadWeights would do with it (exit 1 on problems)
 *   graft install [--user | --prefix DIR]  registers the Jupyter kernel "graft"
 *   graft run NOTEBOOK [--html OUT] [--output OUT.ipynb] [--timeout S]
 *   graft notebook [ARGS…]                 starts Jupyter (Lab or Notebook) with the kernel
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const USAGE = `usage:
  graft inspect FILE [--json]              list a checkpoint's tensors (format, container, metadata)
  graft inspect FILE --against MODEL_JSON [--json] [--strip-prefix auto|PREFIX|none] [--layout auto|torch|tfjs]
                                           the load report for a tfjs model.json, nothing loaded;
                                           exit 0 when every weight matches, 1 when not
  graft install [--user | --prefix DIR]    register the Jupyter kernel "graft" (TypeScript (graft))
  graft run NOTEBOOK [--html OUT.html] [--output OUT.ipynb] [--timeout SECONDS]
                                           execute a notebook headless with the graft kernel
  graft notebook [JUPYTER ARGS…]           start Jupyter Lab/Notebook with the kernel installed`;

function fail(message: string, code = 2): never {
  process.stderr.write(`graft: ${message}\n`);
  process.exit(code);
}

function install(args: string[]): void {
  const { values } = parseArgs({ args, options: { user: { type: "boolean" }, prefix: { type: "string" } } });
  const { installKernel } = require("./install") as typeof import("./install");
  const dir = installKernel({ user: values.user, prefix: values.prefix });
  console.log(`installed kernelspec "graft" (TypeScript (graft)) in ${dir}`);
}

function run(args: string[]): void {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { html: { type: "string" }, output: { type: "string" }, timeout: { type: "string" } },
  });
  if (positionals.length !== 1) fail(`run needs one NOTEBOOK, got ${positionals.length}\n${USAGE}`);
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) fail(`--timeout wants a positive number of seconds, got "${values.timeout}"`);
  const { runNotebook } = require("./run") as typeof import("./run");
  const r = runNotebook(positionals[0], { output: values.output, html: values.html, timeout });
  process.exit(r.status);
}

function notebook(args: string[]): void {
  const { jupyterCommand, installKernel } = require("./install") as typeof import("./install");
  const jupyter = jupyterCommand();
  const has = (sub: string) => !!jupyter && spawnSync(jupyter, [sub, "--version"], { stdio: "ignore" }).status === 0;
  const sub = has("lab") ? "lab" : has("notebook") ? "notebook" : undefined;
  if (!jupyter || !sub) {
    fail("Jupyter Notebook or Lab is not installed: run `sudo apt-get install jupyter-notebook` (Debian) or `pip install jupyterlab`, then `graft notebook` again", 1);
  }
  const dir = installKernel({});
  console.log(`kernel "graft" registered in ${dir}; starting \`jupyter ${sub}\` (choose the kernel "TypeScript (graft)")`);
  const r = spawnSync(jupyter!, [sub!, ...args], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

async function inspect(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean" }, against: { type: "string" }, "strip-prefix": { type: "string" }, layout: { type: "string" } },
  });
  if (positionals.length !== 1) fail(`inspect needs one FILE, got ${positionals.length}\n${USAGE}`);
  if (values.against === undefined) {
    if (values["strip-prefix"] !== undefined || values.layout !== undefined) fail("--strip-prefix and --layout go with --against MODEL_JSON");
    const { inspectFile } = require("./_cli_inspect") as typeof import("./_cli_inspect");
    return inspectFile(positionals[0], { json: !!values.json });
  }
  const { inspectAgainst, ModelJsonError } = require("./_cli_against") as typeof import("./_cli_against");
  try {
    process.exitCode = await inspectAgainst(positionals[0], values.against, { json: !!values.json, stripPrefix: values["strip-prefix"], layout: values.layout });
  } catch (err) {
    if (err instanceof ModelJsonError) fail(err.message);
    throw err;
  }
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "install":
      return install(rest);
    case "run":
      return run(rest);
    case "notebook":
      return notebook(rest);
    case "inspect":
      return inspect(rest);
    case "-h":
    case "--help":
    case "help":
      console.log(USAGE);
      return;
    case "--version":
    case "-v":
      console.log(require("../../package.json").version);
      return;
    default:
      fail(cmd ? `unknown command "${cmd}"\n${USAGE}` : USAGE);
  }
}

main(process.argv.slice(2)).catch((err: Error) => fail(err.message ?? String(err), 1));
