/**
 * The pager's text for a name: its signature, its documentation and its JSDoc tags (@param,
 * @returns, @throws, @example…), as Markdown and as plain text without Markdown fences.
 */

interface Part {
  text: string;
  kind?: string;
}

/** What the compiler's quick info holds (ts.QuickInfo, the parts used here). */
export interface QuickInfoLike {
  displayParts?: Part[];
  documentation?: Part[];
  tags?: Array<{ name: string; text?: Part[] }>;
}

/** Joins display parts; `{@link Name}` becomes `Name`. */
const join = (parts: Part[] | undefined) =>
  (parts ?? [])
    .filter((p) => p.kind !== "link")
    .map((p) => (p.kind === "linkName" || p.kind === "linkText" ? p.text.trim() : p.text))
    .join("");

const TITLES: Record<string, string> = { param: "Parameters", returns: "Returns", return: "Returns", throws: "Throws", example: "Example", deprecated: "Deprecated", see: "See" };

/** Turns ``` fenced blocks into indented ones (text/plain has no Markdown). */
function unfence(text: string): string {
  const out: string[] = [];
  let inside = false;
  for (const line of text.split("\n")) {
    if (/^\s*```/.test(line)) {
      inside = !inside;
      continue;
    }
    out.push(inside ? `    ${line}` : line);
  }
  return out.join("\n");
}

/** An @example's text as a fenced block (a first line that is not code is its caption). */
function exampleMd(text: string): string {
  if (/```/.test(text)) return text;
  return "```ts\n" + text.replace(/^\n+|\n+$/g, "") + "\n```";
}

/**
 * Renders quick info for the pager and the tooltip.
 * @param info the compiler's quick info at a position
 * @returns `text/plain` (fence-free) and `text/markdown` renderings
 * @example
 * renderQuickInfo({ displayParts: [{ text: "function f(): void" }] })["text/markdown"]; // "```ts\nfunction f(): void\n```"
 */
export function renderQuickInfo(info: QuickInfoLike): { "text/plain": string; "text/markdown": string } {
  const signature = join(info.displayParts);
  const doc = join(info.documentation).trim();
  const plain: string[] = [signature];
  const md: string[] = ["```ts\n" + signature + "\n```"];
  if (doc) {
    plain.push("", unfence(doc));
    md.push("", doc);
  }
  const groups = new Map<string, string[]>();
  for (const tag of info.tags ?? []) {
    const text = join(tag.text).trim();
    if (!groups.has(tag.name)) groups.set(tag.name, []);
    groups.get(tag.name)!.push(text);
  }
  for (const [name, texts] of groups) {
    const title = TITLES[name] ?? `@${name}`;
    if (name === "param") {
      plain.push("", `${title}:`, ...texts.map((t) => `  ${t.replace(/^(\S+)\s*-?\s*/, "$1 — ")}`));
      md.push("", `**${title}**`, "", ...texts.map((t) => `- ${t.replace(/^(\S+)\s*-?\s*/, "`$1` — ")}`));
    } else if (name === "example") {
      for (const t of texts) {
        plain.push("", `${title}:`, unfence(t).replace(/^/gm, /```/.test(t) ? "" : "    "));
        md.push("", `**${title}**`, "", exampleMd(t));
      }
    } else {
      for (const t of texts) {
        plain.push("", t ? `${title}: ${unfence(t)}` : title);
        md.push("", t ? `**${title}:** ${t}` : `**${title}**`);
      }
    }
  }
  return { "text/plain": plain.join("\n"), "text/markdown": md.join("\n") };
}
