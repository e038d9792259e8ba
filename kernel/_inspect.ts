/** inspect_request (Shift-Tab, `name?`, %help): the name under the cursor, else the open call's callee. */
import type { CellExecutor } from "./executor";
import { calleeAt } from "./_inspect_call";
import { renderQuickInfo, type QuickInfoLike } from "./_inspect_doc";

/**
 * The pager's bundle for the cursor's position in `code` (magic lines already masked), or
 * undefined when nothing is known there.
 * @param executor the notebook's executor (the compiler sees earlier cells' declarations)
 * @param code the cell
 * @param cursor the cursor's offset
 * @returns `text/plain` and `text/markdown` of the signature and docs
 * For instance `inspectAt(executor, "loadWeights(", 12)?.["text/markdown"]` starts with
 * loadWeights's signature in a `ts` fence, then its docs.
 */
export function inspectAt(executor: CellExecutor, code: string, cursor: number): Record<string, string> | undefined {
  let info = executor.inspect(code, cursor) as QuickInfoLike | undefined;
  if (!info && cursor > 0) info = executor.inspect(code, cursor - 1) as QuickInfoLike | undefined;
  if (!info) {
    const at = calleeAt(code, cursor);
    if (at !== undefined) info = executor.inspect(code, at) as QuickInfoLike | undefined;
  }
  return info ? renderQuickInfo(info) : undefined;
}
