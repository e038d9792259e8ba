/**
 * Runs npm for `%npm`: the npm that ships with the node running the kernel (npm-cli.js next to
 * it), else `npm` on PATH; output streamed as it comes; a failure summed up in one line.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** What one npm run did. */
export interface NpmResult {
  code: number;
  /** stdout and stderr together, in order of arrival. */
  output: string;
  /** The kernel was interrupted (SIGINT) and npm was stopped. */
  interrupted: boolean;
}

/** The command line that runs npm: [program, ...leading args]. */
export function npmCommand(): string[] {
  const cli = path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js");
  if (fs.existsSync(cli)) return [process.execPath, cli];
  return [process.platform === "win32" ? "npm.cmd" : "npm"];
}

/**
 * Runs `npm ARGS…` in `dir`, calling `onOutput` with each chunk of its output.
 * @param args npm's arguments, e.g. ["install", "lodash"]
 * @param dir the folder holding package.json
 * @param onOutput receives stdout and stderr text as it arrives
 * @returns the exit code and the whole output
 * @example
 * const r = await runNpm(["ls"], "/tmp/nb/.graft/env", (t) => process.stdout.write(t));
 */
export function runNpm(args: string[], dir: string, onOutput: (text: string) => void): Promise<NpmResult> {
  const [cmd, ...lead] = npmCommand();
  const env = { ...process.env, NO_UPDATE_NOTIFIER: "1", npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false", npm_config_color: "false" };
  return new Promise((resolve) => {
    let output = "";
    let interrupted = false;
    const child = spawn(cmd, [...lead, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    // An interrupt (Jupyter's SIGINT, or the control thread's) stops npm; the cell ends at once.
    const onInterrupt = () => {
      interrupted = true;
      child.kill("SIGTERM");
    };
    process.on("SIGINT", onInterrupt);
    const take = (d: Buffer) => {
      const text = d.toString("utf8");
      output += text;
      onOutput(text);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const done = (code: number) => {
      process.off("SIGINT", onInterrupt);
      resolve({ code, output, interrupted });
    };
    child.on("error", (err) => {
      output += `npm error could not start ${cmd}: ${err.message}\n`;
      done(127);
    });
    child.on("close", (code, signal) => done(code ?? (signal ? 130 : 1)));
  });
}

/**
 * npm's own error in one line: its `code` and its first explanatory line.
 * @example
 * npmErrorLine("npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/nope\n…");
 * // "E404: 404 Not Found - GET https://registry.npmjs.org/nope"
 */
export function npmErrorLine(output: string): string {
  const lines = output.split("\n").map((l) => l.replace(/\r$/, ""));
  const errs = lines.filter((l) => /^npm (error|ERR!)/.test(l)).map((l) => l.replace(/^npm (error|ERR!)\s?/, "").trim()).filter(Boolean);
  const code = errs.find((l) => /^code \S+$/.test(l))?.slice(5);
  const detail = errs.find((l) => !/^(code|errno|syscall|path|A complete log|Log files|Did you mean|\s*$)/.test(l) && !/^\S*\.log$/.test(l));
  if (code || detail) return [code, detail].filter(Boolean).join(": ");
  const last = lines.filter((l) => l.trim()).pop();
  return last ? last.trim() : "npm failed with no output";
}
