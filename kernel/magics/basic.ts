/** Magics about the kernel itself: %lsmagic, %help, %engine, %time / %%time. */
import { performance } from "node:perf_hooks";
import type { MagicSpec } from "./registry";
import { CellFailure, UsageError } from "./usage";
import { graftFunction } from "./_graft";

/** `%lsmagic`: every magic with its usage. */
export const lsmagic: MagicSpec = {
  name: "lsmagic",
  kind: "line",
  summary: "Lists the available magics.",
  args: {},
  run(_args, ctx) {
    const rows = ctx.registry.all().map((s) => `${ctx.registry.usage(s).padEnd(72)}  ${s.summary.split("\n")[0]}`);
    return { toString: () => rows.join("\n"), toMimeBundle: () => ({ "text/plain": `Magics (only in the leading lines of a cell):\n${rows.join("\n")}` }) };
  },
};

/** `%help NAME`: the pager shows a magic's usage, or a name's type and documentation. */
export const help: MagicSpec = {
  name: "help",
  kind: "line",
  summary: "Shows help for a magic (%help freeze) or the type and docs of a name in scope (%help loadWeights).",
  args: { positional: [{ name: "NAME" }] },
  run(args, ctx) {
    const name = String(args.name).replace(/^%+/, "");
    const spec = ctx.registry.get(name);
    let text: string | undefined;
    if (spec) text = ctx.registry.help(spec);
    const info = ctx.executor.inspect(name, name.length);
    if (info) {
      const { printQuickInfo } = require("tslab/dist/inspect");
      text = text ? `${text}\n\n${printQuickInfo(info)}` : printQuickInfo(info);
    }
    if (!text) throw new UsageError(`%help: nothing is known about ${name}`);
    ctx.payload.push({ source: "page", data: { "text/plain": text }, start: 0 });
    return undefined;
  },
};

/** `%engine`: which tfjs backend runs, and why. */
export const engine: MagicSpec = {
  name: "engine",
  kind: "line",
  summary: "Shows the tfjs backend graft chose (tensorflow, wasm or cpu) and the reason.",
  args: {},
  run() {
    const e = graftFunction<() => { backend: string; reason: string; warning?: string }>("engine", "src/train")();
    const text = `engine: ${e.backend} — ${e.reason}${e.warning ? `\nwarning: ${e.warning}` : ""}`;
    return { toMimeBundle: () => ({ "text/plain": text }) };
  },
};

function fmtMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** `%time` / `%%time`: wall time of the cell (or of the code after `%time` on the same line). */
export const time: MagicSpec = {
  name: "time",
  kind: "both",
  wrapsCell: true,
  summary: "Times the cell (%%time, or %time alone on a line), or the statement after %time on its line.",
  args: { positional: [{ name: "CODE", rest: true, optional: true }] },
  async run(args, ctx, runBody) {
    const code = String(args.code ?? "");
    const t0 = performance.now();
    const out = code ? await ctx.executor.run(code) : await runBody();
    process.stdout.write(`Wall time: ${fmtMs(performance.now() - t0)}\n`);
    if (!code) return out;
    if (!out.ok) throw new CellFailure(out.error);
    return out.hasValue ? out.value : undefined;
  },
};
