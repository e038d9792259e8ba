/** `%xmode [MODE]`: how much of a traceback cells show, as in IPython. */
import type { MagicSpec } from "./registry";
import { UsageError } from "./usage";
import { XMODES, type XMode } from "../_traceback";

/** The `%xmode` magic: sets the kernel's Tracebacks mode. */
export const xmode: MagicSpec = {
  name: "xmode",
  kind: "line",
  summary:
    "Sets how errors show (IPython's modes): Minimal (the first line), Plain (plus the notebook's frames), Context (default: plus the\n" +
    "cell's line with a caret), Verbose (every frame, graft's and node's too). Without MODE it cycles to the next one.",
  args: { positional: [{ name: "MODE", optional: true }] },
  run(args, ctx) {
    const tb = ctx.tracebacks;
    if (!tb) throw new UsageError("%xmode: this kernel has no traceback settings");
    let mode: XMode;
    if (args.mode === undefined) mode = XMODES[(XMODES.indexOf(tb.mode) + 1) % XMODES.length];
    else {
      const found = XMODES.find((m) => m.toLowerCase() === String(args.mode).toLowerCase());
      if (!found) throw new UsageError(`%xmode: unknown mode "${args.mode}"; use one of ${XMODES.join(", ")}`);
      mode = found;
    }
    tb.mode = mode;
    process.stdout.write(`Exception reporting mode: ${mode}\n`);
    return undefined;
  },
};
