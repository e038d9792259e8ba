/** Well-formedness check with a real XML parser (Python's expat through /usr/bin/python3); test helper. */
import { spawnSync } from "node:child_process";

/** Returns the parser's error message, or "" when the document is well-formed XML. */
export function xmlError(doc: string): string {
  const out = spawnSync("/usr/bin/python3", ["-c", "import sys, xml.etree.ElementTree as E\ntry:\n  E.fromstring(sys.stdin.read())\nexcept Exception as e:\n  print(e)"], { input: doc, encoding: "utf8" });
  if (out.status !== 0) throw new Error(`python3 failed: ${out.stderr}`);
  return out.stdout.trim();
}
