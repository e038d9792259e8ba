/**
 * `is_complete_request`: whether a cell is ready to run (complete), needs more lines
 * (incomplete: an open bracket, string or block at the end) or can never parse (invalid).
 */
import path from "node:path";

const tslabDir = path.dirname(require.resolve("tslab/package.json"));
const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] }));

export interface IsCompleteReply {
  status: "complete" | "incomplete" | "invalid";
  indent?: string;
}

/**
 * @example
 * isComplete("let x = 1;");   // { status: "complete" }
 * isComplete("for (;;) {");   // { status: "incomplete", indent: "  " }
 * isComplete("let = ;");      // { status: "invalid" }
 */
export function isComplete(code: string): IsCompleteReply {
  const body = code.replace(/^(%.*(\n|$))+/, (m) => m.replace(/[^\n]/g, " "));
  const sf = ts.createSourceFile("cell.ts", body, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const diags: Array<{ start: number; messageText: string }> = sf.parseDiagnostics ?? [];
  if (diags.length === 0) return { status: "complete" };
  const end = body.trimEnd().length;
  // More input can only fix errors at the end: a missing `}`/`)`/`]`, an open string or comment.
  const fixable = (d: { start: number; messageText: string }) => d.start >= end || /^Unterminated|^'\*\/' expected/.test(String(d.messageText));
  if (!diags.every(fixable)) return { status: "invalid" };
  const last = body.split("\n").pop() ?? "";
  const indent = last.match(/^\s*/)![0] + (/[{([]\s*$/.test(body) ? "  " : "");
  return { status: "incomplete", indent };
}
