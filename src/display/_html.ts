/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A plain HTML table; `rows` are already-formatted cell texts. Numeric-looking cells align right. */
export function htmlTable(head: string[], rows: string[][], caption?: string): string {
  const cell = (tag: string, s: string) => `<${tag}${/^[-\d,.e+]+$/.test(s) ? ' style="text-align:right"' : ""}>${escapeHtml(s)}</${tag}>`;
  return (
    `<table class="graft">${caption ? `<caption>${escapeHtml(caption)}</caption>` : ""}` +
    `<thead><tr>${head.map((h) => cell("th", h)).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => cell("td", c)).join("")}</tr>`).join("")}</tbody></table>`
  );
}

/** A fixed-width text table, columns padded. */
export function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (/^[-\d,.e+]+$/.test(c) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** 1234567 → "1,234,567". */
export function fmtInt(n: number): string {
  return n.toLocaleString("en-US");
}
