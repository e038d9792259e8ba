/** `%params [MODEL]`: graft.countParams as a table, plus graft.plot.params's chart when present. */
import type { MagicSpec } from "./registry";
import { resolveModel } from "./_graft";
import { PACKAGE_ROOT } from "../resolve";
import { paramCounts } from "../../src/display/_model";
import { toMimeBundle } from "../../src/display/mime";

export const params: MagicSpec = {
  name: "params",
  kind: "line",
  summary: "Shows trainable, frozen and non-trainable parameter counts per layer, and a chart of them.",
  args: { positional: [{ name: "MODEL", optional: true }] },
  run(args, ctx) {
    const model = resolveModel(ctx, args.model as string | undefined, "%params");
    const graft = require(PACKAGE_ROOT);
    // graft's own table (Keras-like text + HTML) when src/freeze has it, else the counts.
    const counts = typeof graft.paramsTable === "function" ? graft.paramsTable(model) : paramCounts(model);
    if (typeof graft.plot?.params === "function") {
      try {
        const fig = graft.plot.params(model);
        ctx.send("display_data", { data: toMimeBundle(fig), metadata: {}, transient: {} });
      } catch (err) {
        process.stderr.write(`%params: the chart failed (${(err as Error).message}); the table follows\n`);
      }
    }
    return counts;
  },
};
