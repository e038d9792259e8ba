/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Most rows a rendered table shows; the rest are counted in a last "… N more rows" row. */
export const MAX_TABLE_ROWS = 1000;

/** `rows` cut to MAX_TABLE_ROWS, with a row saying how many were left out. */
function capRows(head: string[], rows: string[][]): string[][] {
  if (rows.length <= MAX_TABLE_ROWS + 1) return rows; // callers may add their own "more" row
  const more = head.map((_, i) => (i === 0 ? `… ${rows.length - MAX_TABLE_ROWS} more rows` : ""));
  return [...rows.slice(0, MAX_TABLE_ROWS), more];
}

/** A plain HTML table; `rows` are already-formatted cell texts. Numeric-looking cells align right. */
export function htmlTable(head: string[], all: string[][], caption?: string): string {
  const rows = capRows(head, all);
  const cell = (tag: string, s: string) => `<${tag}${/^[-\d,.e+]+$/.test(s) ? ' style="text-align:right"' : ""}>${escapeHtml(s)}</${tag}>`;
  return (
    `<table class="graft">${caption ? `<caption>${escapeHtml(caption)}</caption>` : ""}` +
    `<thead><tr>${head.map((h) => cell("th", h)).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => cell("td", c)).join("")}</tr>`).join("")}</tbody></table>`
  );
}

/** A fixed-width text table, columns padded. */
export function textTable(head: string[], all: string[][]): string {
  const rows = capRows(head, all);
  const widths = head.map((h, i) => rows.reduce((w, r) => Math.max(w, r[i].length), h.length));
  const line = (r: string[]) => r.map((c, i) => (/^[-\d,.e+]+$/.test(c) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** 1234567 → "1,234,567"; beyond 1e21 in exponent form; NaN and ±∞ as such. */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "∞" : "-∞";
  if (Math.abs(n) >= 1e21) return n.toExponential(3);
  return n.toLocaleString("en-US");
}
