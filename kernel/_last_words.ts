/**
 * Why the previous kernel died. A kernel process that dies (V8's "JavaScript heap out of memory",
 * the system's out-of-memory killer, a signal) cannot tell anyone; the process Jupyter starts in
 * its place can. Each kernel keeps a small state file — which cell is running, its first lines,
 * the heap limit — and asks node to write a diagnostic report on a fatal error. Both live in a
 * private folder under the system's temp dir, named after the connection file, which a restart
 * keeps. At start, a state file left by a dead process that was running a cell, or a report,
 * becomes a notice for the first cell; a clean exit removes both.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";

interface State {
  pid: number;
  /** The running cell's label ("In [3]"), or null between cells. */
  cell: string | null;
  code?: string;
  heapLimitMB: number;
}

/** Files older than this in the folder are left-overs of kernels killed long ago. */
const STALE_MS = 7 * 24 * 3600 * 1000;

/** The state of one kernel session (one connection file), across its processes. */
export class LastWords {
  readonly state: string;
  readonly report: string;
  /** The --max-old-space-size this process runs with (the number GRAFT_KERNEL_HEAP_MB sets), else V8's whole limit. */
  private heapLimitMB = heapFlagMB() ?? Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20);

  /**
   * @param configPath the connection file Jupyter passed (the same across restarts)
   * @param dir where the files go; default a folder private to this user under the temp dir
   */
  constructor(configPath: string, readonly dir = path.join(os.tmpdir(), `graft-kernel-${process.getuid?.() ?? "user"}`)) {
    const id = createHash("sha256").update(path.resolve(configPath)).digest("hex").slice(0, 16);
    this.state = path.join(dir, `${id}.json`);
    this.report = path.join(dir, `${id}.report.json`);
  }

  /**
   * Reads what the previous process left and removes it; then arms the report for this one.
   * @returns the notice for the first cell, or undefined when the previous process ended cleanly
   * @example
   * const words = new LastWords("/run/user/0/jupyter/kernel-1.json"); // the kernel's connection file
   * const notice = words.recall(); // "The previous kernel process (pid 812) died of …"
   */
  recall(): string | undefined {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.sweep();
    const state = readJson(this.state) as State | undefined;
    const report = readJson(this.report) as { header?: { event?: string; trigger?: string; processId?: number } } | undefined;
    fs.rmSync(this.report, { force: true });
    let notice: string | undefined;
    if (state && state.pid !== process.pid && !alive(state.pid)) notice = describe(state, report?.header);
    else if (report?.header?.event) notice = describe({ pid: report.header.processId ?? 0, cell: null, heapLimitMB: 0 }, report.header);
    this.write({ pid: process.pid, cell: null, heapLimitMB: this.heapLimitMB });
    // On a fatal error (heap out of memory above all) node writes this report before it aborts.
    process.report.reportOnFatalError = true;
    process.report.directory = this.dir;
    process.report.filename = path.basename(this.report);
    (process.report as { excludeNetwork?: boolean }).excludeNetwork = true;
    return notice;
  }

  /** Cell `label` starts running `code`. */
  running(label: string, code: string): void {
    this.write({ pid: process.pid, cell: label, code: code.slice(0, 400), heapLimitMB: this.heapLimitMB });
  }

  /** The cell ended (whichever way). */
  idle(): void {
    this.write({ pid: process.pid, cell: null, heapLimitMB: this.heapLimitMB });
  }

  /** A clean exit: nothing to report next time. */
  clear(): void {
    fs.rmSync(this.state, { force: true });
    fs.rmSync(this.report, { force: true });
  }

  private write(state: State): void {
    try {
      fs.writeFileSync(this.state, JSON.stringify(state), { mode: 0o600 });
    } catch {
      // a full or read-only temp dir costs only the notice
    }
  }

  private sweep(): void {
    try {
      for (const name of fs.readdirSync(this.dir)) {
        const p = path.join(this.dir, name);
        if (Date.now() - fs.statSync(p).mtimeMs > STALE_MS) fs.rmSync(p, { force: true });
      }
    } catch {
      // best effort
    }
  }
}

function heapFlagMB(): number | undefined {
  const flags = process.execArgv.map((a) => /^--max-old-space-size=(\d+)$/.exec(a)?.[1]).filter((x) => x !== undefined);
  return flags.length ? Number(flags[flags.length - 1]) : undefined;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function describe(state: State, report: { event?: string; trigger?: string } | undefined): string | undefined {
  const where = state.cell ? `while running ${state.cell}` : "while no cell was running";
  const lines: string[] = [];
  if (report?.event) {
    const oom = /heap out of memory/i.test(report.event);
    const why = oom ? `JavaScript heap out of memory ("${report.event}")` : `a fatal error ("${report.event}")`;
    lines.push(`The previous kernel process (pid ${state.pid}) died of ${why} ${where}.`);
  } else if (state.cell) {
    lines.push(
      `The previous kernel process (pid ${state.pid}) ended ${where} and left no report: it was killed from outside — by the system's out-of-memory killer, a signal, or a restart while the cell was busy.`,
    );
  } else return undefined;
  if (state.code) lines.push(`That cell began:\n${indent(state.code)}`);
  lines.push("Its variables are gone: run the cells you need again.");
  if (state.heapLimitMB) {
    lines.push(`The kernel's heap limit is ${state.heapLimitMB} MiB; for a bigger one, reinstall the kernel with GRAFT_KERNEL_HEAP_MB set (e.g. GRAFT_KERNEL_HEAP_MB=${2 * state.heapLimitMB} graft install).`);
  }
  return lines.join("\n") + "\n";
}

function indent(code: string): string {
  const lines = code.split("\n");
  const head = lines.slice(0, 5).map((l) => `    ${l.length > 120 ? l.slice(0, 117) + "…" : l}`);
  if (lines.length > 5 || code.length >= 400) head.push("    …");
  return head.join("\n");
}
