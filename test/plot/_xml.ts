/** Well-formedness check with a real XML parser (Python's expat through /usr/bin/python3); test helper. */
import { spawnSync } from "node:child_process";

/** Returns the parser's error message, or "" when the document is well-formed XML. */
export function xmlError(doc: string): string {
  const out = spawnSync("/usr/bin/python3", ["-c", "import sys, xml.etree.ElementTree as E\ntry:\n  E.fromstring(sys.stdin.read())\nexcept Exception as e:\n  print(e)"], { input: doc, encoding: "utf8" });
  if (out.status !== 0) throw new Error(`python3 failed: ${out.stderr}`);
  return out.stdout.trim();
}

/** The parser's message for each document ("" when well-formed), checked by one python process. */
export function xmlErrors(docs: string[]): string[] {
  const script = "import sys, json, xml.etree.ElementTree as E\nout = []\nfor d in json.load(sys.stdin):\n  try:\n    E.fromstring(d); out.append('')\n  except Exception as e:\n    out.append(str(e))\nprint(json.dumps(out))";
  const res = spawnSync("/usr/bin/python3", ["-c", script], { input: JSON.stringify(docs), encoding: "utf8", maxBuffer: 1 << 28 });
  if (res.status !== 0) throw new Error(`python3 failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as string[];
}
