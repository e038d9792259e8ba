/** `%freeze PATTERN [on MODEL]` and `%unfreeze PATTERN [on MODEL]`: graft.freeze / graft.unfreeze. */
import type { MagicSpec } from "./registry";
import { graftFunction, resolveModel, toPattern } from "./_graft";
import { paramCounts } from "../../src/display/_model";
import { toMimeBundle } from "../../src/display/mime";

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
      const fn = graftFunction<(m: unknown, p: unknown) => string[]>(name, "src/freeze");
      const names = fn(model, toPattern(String(args.pattern)));
      const counts = paramCounts(model);
      const head = `${name === "freeze" ? "Froze" : "Unfroze"} ${names.length} layer${names.length === 1 ? "" : "s"}` + (names.length ? `: ${names.slice(0, 12).join(", ")}${names.length > 12 ? ", …" : ""}` : "");
      const bundle = toMimeBundle(counts);
      return {
        toMimeBundle: () => ({
          "text/plain": `${head}\n${bundle["text/plain"]}`,
          "text/html": `<p>${head.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</p>${bundle["text/html"] ?? ""}`,
        }),
      };
    },
  };
}

export const freeze = shell("freeze", "Freezes");
export const unfreeze = shell("unfreeze", "Unfreezes");
