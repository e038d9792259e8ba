/** `%load_weights FILE [into MODEL] …`: graft.loadWeights, showing its LoadReport. */
import type { MagicSpec } from "./registry";
import { UsageError } from "./usage";
import fs from "node:fs";
import { lib, resolveModel } from "./_graft";
import { progressBar } from "../../src/display/progress";
import { display } from "../../src/display/display";
import { load as loadFigure, type LoadReportLike } from "../../src/plot/load";

/** Files above this size get a progress bar while they load. */
const PROGRESS_ABOVE_BYTES = 16 * 1048576;

export const loadWeights: MagicSpec = {
  name: "load_weights",
  kind: "line",
  summary:
    "Loads a checkpoint (PyTorch .pt/.pth, safetensors, Keras .h5/.keras, tfjs model.json, .npz; or an https:// URL, through PyTorch's hub cache) into a model and shows the report of what\n" +
    "loaded, what is missing, unexpected or mismatched, with a chart of it per layer. --dry-run plans without changing weights; --strict fails unless everything matches.",
  args: {
    positional: [{ name: "FILE" }],
    keyword: [{ word: "into", name: "MODEL" }],
    flags: ["strict", "dry-run"],
    options: [
      { flag: "skip", value: "PATTERN", repeat: true },
      { flag: "rename", value: "FROM=TO", repeat: true },
    ],
  },
  async run(args, ctx) {
    const model = resolveModel(ctx, args.model as string | undefined, "%load_weights");
    const rename = ((args.rename as string[]) ?? []).map((r): [RegExp | string, string] => {
      const at = r.indexOf("=");
      if (at <= 0) throw new UsageError(`%load_weights: --rename wants FROM=TO, got "${r}"`);
      const from = r.slice(0, at);
      const re = /^\/(.+)\/([gimsuy]*)$/.exec(from);
      return [re ? new RegExp(re[1], re[2]) : from, r.slice(at + 1)];
    });
    const skips = ((args.skip as string[]) ?? []).map((t) => lib().parsePattern(t)).flat();
    const opts: Record<string, unknown> = { strict: !!args.strict, dryRun: !!args.dryRun };
    if (rename.length) opts.rename = rename;
    if (skips.length) opts.skip = skips.length === 1 ? skips[0] : skips;
    const file = String(args.file);
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
    const progress = !args.dryRun && size > PROGRESS_ABOVE_BYTES ? progressBar(`loading ${file}`) : undefined;
    if (progress) opts.onProgress = progress;
    // An http(s) source goes through PyTorch's hub cache; a bar appears only if it downloads.
    let download: ReturnType<typeof progressBar> | undefined;
    if (/^https?:\/\//i.test(file)) {
      opts.onDownload = (done: number, total: number) => {
        download ??= progressBar(`downloading ${file.split("/").pop()}`);
        download(done, total);
      };
    }
    let report: unknown;
    try {
      report = await lib().loadWeights(model, file, opts);
    } finally {
      download?.done();
      progress?.done();
    }
    if (args.dryRun) return report;
    // The report, then its picture: where the weights went, layer by layer.
    display(report);
    return loadFigure(report as LoadReportLike);
  },
};
