/** `%inspect FILE`: graft.open + a table of the checkpoint's tensors (format, container, metadata). */
import type { MagicSpec } from "./registry";
import { lib } from "./_graft";

export const inspect: MagicSpec = {
  name: "inspect",
  kind: "line",
  summary: "Opens a checkpoint and lists its tensors: name, shape, dtype, bytes; plus its format, container and metadata.",
  args: { positional: [{ name: "FILE" }] },
  async run(args) {
    const graft = lib();
    const ckpt = await graft.open(String(args.file));
    try {
      const bundle = graft.checkpointBundle(graft.inspectCheckpoint(ckpt));
      return { toMimeBundle: () => bundle };
    } finally {
      await ckpt.close?.();
    }
  },
};
