/**
 * `plot.confusion(result, classes)`: the confusion matrix of `graft.evaluate` as a heatmap —
 * rows the true class, columns the predicted one, each cell its count (and the row's share in
 * the colour). plotly draws the heatmap; the static SVG is drawn here, cell by cell.
 */
import { Figure, type Layout, type Trace } from "./figure";
import { escapeXml } from "./_format";

/** Anything carrying a confusion matrix (graft.evaluate's result). */
export interface ConfusionLike { confusion: number[][]; accuracy?: number; count?: number }

/** Options of {@link confusion}. */
export interface ConfusionOptions {
  /** Colour by the share of each row (recall per class, default) or by raw counts. */
  normalize?: "row" | "none";
  /** Replaces the generated title. */
  title?: string;
}

const FONT = `font-family="'Open Sans', verdana, arial, sans-serif"`;

/** White → plotly blue, for t in [0, 1]. */
function shade(t: number): string {
  const mix = (a: number, b: number) => Math.round(a + (b - a) * Math.max(0, Math.min(1, t)));
  return `rgb(${mix(247, 31)},${mix(251, 119)},${mix(255, 180)})`;
}

function shares(counts: number[][], normalize: "row" | "none"): number[][] {
  const max = Math.max(1, ...counts.flat());
  return counts.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (normalize === "row" ? (total ? v / total : 0) : v / max));
  });
}

/** The confusion matrix figure: plotly heatmap plus a static SVG of the same cells. */
class ConfusionFigure extends Figure {
  constructor(data: Trace[], layout: Layout, summary: string, private readonly cells: { counts: number[][]; shares: number[][]; classes: string[]; title: string }) {
    super(data, layout, summary);
  }

  /** Static SVG: one square per cell with its count, class names on both axes. */
  override toSVG(): string {
    const { counts, shares: s, classes, title } = this.cells;
    const n = classes.length;
    const cell = Math.max(18, Math.min(60, Math.floor(420 / n)));
    const labelW = Math.min(160, 12 + 7 * Math.max(...classes.map((c) => c.length))), top = 60, left = labelW + 30;
    const width = Math.max(left + n * cell + 20, Math.ceil(title.length * 7.6) + 30), height = top + n * cell + Math.ceil(labelW * 0.75) + 40;
    const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12" fill="#444">`,
      `<rect width="100%" height="100%" fill="white"/>`, `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`];
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const x = left + c * cell, y = top + r * cell;
        out.push(`<rect class="cell" data-row="${r}" data-col="${c}" data-count="${counts[r][c]}" x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${shade(s[r][c])}" stroke="white"/>`);
        if (cell >= 22) out.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${s[r][c] > 0.55 ? "white" : "#444"}">${counts[r][c]}</text>`);
      }
      out.push(`<text x="${left - 6}" y="${top + r * cell + cell / 2 + 4}" text-anchor="end">${escapeXml(classes[r])}</text>`);
    }
    classes.forEach((name, c) => {
      const x = left + c * cell + cell / 2, y = top + n * cell + 8;
      out.push(`<text transform="translate(${x},${y}) rotate(45)" text-anchor="start">${escapeXml(name)}</text>`);
    });
    out.push(`<text transform="translate(14,${top + (n * cell) / 2}) rotate(-90)" text-anchor="middle">true class</text>`);
    out.push(`<text x="${left + (n * cell) / 2}" y="${height - 8}" text-anchor="middle">predicted class</text>`, "</svg>");
    return out.join("");
  }
}

/**
 * A heatmap of a confusion matrix (rows: true class, columns: predicted class).
 * @param result `graft.evaluate`'s result (or any `{ confusion }`)
 * @param classes class names by index (e.g. an imageFolder's `classes`); default "0", "1", …
 * @param opts `normalize` ("row": colour by each row's share, default; "none": by counts), `title`
 * @returns a Figure (plotly JSON, HTML, static SVG and text)
 * @example
 * ```ts
 * const valFolder = graft.data.imageFolder("photos/val", { transform: graft.zoo.resnet18.transforms() });
 * const valLoader = graft.data.loader(valFolder, { batchSize: 32 });
 * const result = await graft.evaluate(model, valLoader);
 * graft.display(graft.plot.confusion(result, valFolder.classes));
 * ```
 */
export function confusion(result: ConfusionLike, classes?: readonly string[], opts: ConfusionOptions = {}): Figure {
  const counts = result?.confusion;
  if (!Array.isArray(counts) || counts.length === 0 || !counts.every((row) => Array.isArray(row) && row.length === counts.length && row.every((v) => Number.isFinite(v) && v >= 0))) {
    throw new TypeError("plot.confusion(result): result.confusion must be a square matrix of counts (graft.evaluate's result)");
  }
  const names = classes ? [...classes] : counts.map((_, i) => String(i));
  if (names.length !== counts.length) throw new RangeError(`plot.confusion: ${names.length} class names for a ${counts.length}×${counts.length} matrix`);
  const normalize = opts.normalize ?? "row";
  const s = shares(counts, normalize);
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const correct = counts.reduce((a, row, i) => a + row[i], 0);
  const accuracy = result.accuracy ?? (total ? correct / total : 0);
  const title = opts.title ?? `Confusion matrix · accuracy ${(accuracy * 100).toFixed(1)}% of ${total}`;
  const trace = {
    type: "heatmap", z: s, x: names, y: names, text: counts.map((row) => row.map(String)), texttemplate: "%{text}",
    colorscale: [[0, shade(0)], [1, shade(1)]], zmin: 0, zmax: 1, showscale: false,
    hovertemplate: "true %{y}<br>predicted %{x}<br>%{text} samples<extra></extra>",
  } as unknown as Trace;
  const layout: Layout = {
    title: { text: title }, xaxis: { title: { text: "predicted class" }, side: "bottom", type: "category" },
    yaxis: { title: { text: "true class" }, autorange: "reversed", type: "category" },
    width: Math.max(360, 120 + 48 * names.length), height: Math.max(320, 120 + 40 * names.length),
  };
  const worst = names.map((name, i) => ({ name, recall: counts[i].reduce((a, b) => a + b, 0) ? counts[i][i] / counts[i].reduce((a, b) => a + b, 0) : 1 }))
    .sort((a, b) => a.recall - b.recall)[0];
  const summary = `${title}; rows = true class (${names.join(", ")}): ${counts.map((row) => `[${row.join(", ")}]`).join(" ")}` +
    (worst ? `; lowest recall: ${worst.name} ${(worst.recall * 100).toFixed(0)}%` : "");
  return new ConfusionFigure([trace], layout, summary, { counts, shares: s, classes: names, title });
}
