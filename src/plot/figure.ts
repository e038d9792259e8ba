/**
 * `Figure`: a plotly.js figure (`{data, layout}`) with every rendering a Jupyter front end may
 * pick: the plotly JSON mime, HTML that draws it with plotly.js (the static picture, an `<img>`
 * of the SVG, until the script runs), a static SVG drawn by graft, and a text summary.
 */
import type { MimeBundle } from "../display/bridge";
import { figureHTML, type PlotlyLibraryMode } from "./html";
import { toSVG } from "./svg";

/** A plotly.js trace, restricted to options plotly.js 2.x has had for years. */
export type Trace = Record<string, unknown> & { type: "bar" | "scatter"; name?: string };
/** A plotly.js layout. */
export type Layout = Record<string, unknown>;

/** The plotly JSON mime type (JupyterLab, Notebook 7, VS Code render it natively). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Options of `toHTML` and `toMimeBundle`. */
export interface RenderOptions {
  /**
   * Where plotly.js comes from: `"inline"` embeds the library (a self-contained page),
   * `"none"` expects it on the page already (waits for it), `"auto"` embeds it outside the
   * kernel and, in the graft kernel, sends it as outputs of its own (at most two copies kept in
   * a saved notebook). Default: `"inline"` for `toHTML`, `"auto"` for bundles.
   */
  plotly?: PlotlyLibraryMode;
}

/**
 * A figure from `plot.params` / `plot.loss`. Displays itself in the graft kernel (and any
 * front end reading `Symbol.for("Jupyter.display")`), prints a summary elsewhere.
 * @example
 * const fig = plot.params(model);
 * const fs = await import("node:fs");
 * fs.writeFileSync("params.svg", fig.toSVG());
 * fs.writeFileSync("params.html", fig.toHTML());
 */
export class Figure {
  constructor(
    /** plotly traces. */
    readonly data: Trace[],
    /** plotly layout. */
    readonly layout: Layout,
    /** One-paragraph text rendering (`text/plain`). */
    readonly summary: string,
  ) {}

  /** The plotly figure `{data, layout}`, ready for `Plotly.newPlot(div, data, layout)`. */
  toJSON(): { data: Trace[]; layout: Layout } {
    return { data: this.data, layout: this.layout };
  }

  /** A static SVG drawn without a browser. */
  toSVG(): string {
    return toSVG(this.toJSON());
  }

  /** A div holding the static SVG plus a script drawing the interactive figure with plotly.js. */
  toHTML(opts: RenderOptions = {}): string {
    return figureHTML(this.toJSON(), this.toSVG(), opts.plotly ?? "inline", this.summary);
  }

  /** Every mime type at once: plotly JSON, HTML, SVG and text. */
  toMimeBundle(opts: RenderOptions = {}): MimeBundle {
    const svg = this.toSVG();
    return {
      [PLOTLY_MIME]: this.toJSON(),
      "text/html": figureHTML(this.toJSON(), svg, opts.plotly ?? "auto", this.summary),
      "image/svg+xml": svg,
      "text/plain": this.summary,
    };
  }

  /** The display protocol the graft kernel's `display()` reads. */
  [Symbol.for("Jupyter.display")](): MimeBundle {
    return this.toMimeBundle();
  }

  toString(): string {
    return this.summary;
  }

  /** `console.log(fig)` in plain node prints the summary, not the plotly JSON. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.summary;
  }
}
