/** `%freeze PATTERN [on MODEL]` and `%unfreeze PATTERN [on MODEL]`: graft.freeze / graft.unfreeze. */
import type { MagicSpec } from "./registry";
import { lib, resolveModel } from "./_graft";

function shell(name: "freeze" | "unfreeze", verb: string): MagicSpec {
  return {
    name,
    kind: "line",
    summary:
      `${verb} the layers whose names match PATTERN (a glob like "layer1.*", /regex/, or a,b,c) and shows the parameter counts.\n` +
      "A compiled model trains the new set at its next fit (no recompile needed); frozen BatchNorm runs in inference mode.",
    args: { positional: [{ name: "PATTERN" }], keyword: [{ word: "on", name: "MODEL" }] },
    run(args, ctx) {
      const model = resolveModel(ctx, args.model as string | undefined, `%${name}`);
      const graft = lib();
      const names = graft[name](model, graft.parsePattern(String(args.pattern)));
      const table = graft.paramsTable(model);
      const head = `${name === "freeze" ? "Froze" : "Unfroze"} ${names.length} layer${names.length === 1 ? "" : "s"}` + (names.length ? `: ${names.slice(0, 12).join(", ")}${names.length > 12 ? ", …" : ""}` : "");
      return {
        toMimeBundle: () => ({
          "text/plain": `${head}\n${table.toString()}`,
          "text/html": `<p>${head.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</p>${table.toHTML()}`,
        }),
      };
    },
  };
}

export const freeze = shell("freeze", "Freezes");
export const unfreeze = shell("unfreeze", "Unfreezes");
