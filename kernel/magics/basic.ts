/** Magics about the kernel itself: %lsmagic, %help, %engine, %time / %%time. */
import { performance } from "node:perf_hooks";
import type { MagicSpec } from "./registry";
import { CellFailure, UsageError } from "./usage";
import { lib } from "./_graft";
import { usageUnits, wrapWords } from "./_wrap";
import { renderQuickInfo } from "../_inspect_doc";
import { isHiddenPath } from "../_public";

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The width of %lsmagic's plain text (the pager's and a terminal's usual width). */
const WIDTH = 80;

/** `%lsmagic`: every magic with its usage, as an HTML table and 80-column plain text. */
export const lsmagic: MagicSpec = {
  name: "lsmagic",
  kind: "line",
  summary: "Lists the available magics.",
  args: {},
  run(_args, ctx) {
    const specs = ctx.registry.all();
    const summary = (s: MagicSpec) => s.summary.replace(/\s*\n\s*/g, " ").trim();
    const title = "Magics (only in the leading lines of a cell; %help NAME for more):";
    const text = [title];
    for (const s of specs) {
      text.push("", ...wrapWords(usageUnits(ctx.registry.usage(s)), WIDTH, ["", "      "]), ...wrapWords(summary(s).split(" "), WIDTH, ["    ", "    "]));
    }
    const rows = specs.map((s) => `<tr><td style="text-align:left;white-space:nowrap"><code>${escapeHtml(ctx.registry.usage(s))}</code></td><td style="text-align:left">${escapeHtml(summary(s))}</td></tr>`);
    const html =
      `<table class="graft-lsmagic"><caption style="text-align:left">${escapeHtml(title)}</caption>` +
      `<thead><tr><th style="text-align:left">Magic</th><th style="text-align:left">What it does</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
    return { toString: () => text.join("\n"), toMimeBundle: () => ({ "text/plain": text.join("\n"), "text/html": html }) };
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
    if (isHiddenPath(name)) throw new UsageError(`%help: nothing is known about ${name}`);
    const spec = ctx.registry.get(name);
    const plain: string[] = [];
    const md: string[] = [];
    if (spec) {
      plain.push(ctx.registry.help(spec));
      md.push("```\n" + ctx.registry.help(spec) + "\n```");
    }
    const info = ctx.executor.inspect(name, name.length);
    if (info) {
      const doc = renderQuickInfo(info);
      plain.push(doc["text/plain"]);
      md.push(doc["text/markdown"]);
    }
    if (!plain.length) throw new UsageError(`%help: nothing is known about ${name}`);
    ctx.payload.push({ source: "page", data: { "text/plain": plain.join("\n\n"), "text/markdown": md.join("\n\n") }, start: 0 });
    return undefined;
  },
};

/** `%engine`: which tfjs backend runs, and why. */
export const engine: MagicSpec = {
  name: "engine",
  kind: "line",
  summary: "Shows the tfjs backend graft chose (tensorflow, wasm or cpu) and whether inference and training's convolutions run natively (ONNX Runtime), with the reasons.",
  args: {},
  run() {
    const e = lib().engine();
    const native = lib().nativeRuntime();
    const text = `engine: ${e.backend} — ${e.reason}\nnative: ${native.available ? "yes" : "no"} — ${native.reason}${e.warning ? `\nwarning: ${e.warning}` : ""}`;
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
