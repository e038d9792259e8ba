/** `%params [MODEL]`: graft's parameter table (as `%freeze` shows it) and `plot.params`'s chart. */
import type { MagicSpec } from "./registry";
import { lib, resolveModel } from "./_graft";
import { toMimeBundle } from "../../src/display/mime";

export const params: MagicSpec = {
  name: "params",
  kind: "line",
  summary: "Shows trainable, frozen and non-trainable parameter counts per layer, and a chart of them.",
  args: { positional: [{ name: "MODEL", optional: true }] },
  run(args, ctx) {
    const model = resolveModel(ctx, args.model as string | undefined, "%params");
    try {
      ctx.send("display_data", { data: toMimeBundle(lib().plot.params(model)), metadata: {}, transient: {} });
    } catch (err) {
      process.stderr.write(`%params: the chart failed (${(err as Error).message}); the table follows\n`);
    }
    return lib().paramsTable(model);
  },
};
