// Where plotly.js travels in the kernel: a model of a notebook (cells holding outputs, display
// ids updated in place, re-running a cell replacing its outputs) driven by seeded random
// sequences of runs. After every run the notebook holds plotly.js once or twice, never more,
// and at least once while any figure is shown — whatever was re-run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BRIDGE_KEY, type DisplayRequest } from "../../src/display/bridge";
import { toMimeBundle } from "../../src/display/mime";
import { clearOutput, display } from "../../src/display/display";
import * as plot from "../../src/plot";
import { rng } from "./_fuzz_cases";

interface Out { id?: string; data: Record<string, unknown> }

/** A notebook of `n` cells whose outputs the kernel's display messages fill and update. */
function notebook(n: number) {
  const cells: Out[][] = Array.from({ length: n }, () => []);
  let running = 0, generation = 0, libraries = 0;
  const bridge = {
    display(r: DisplayRequest) {
      if (String(r.data["text/html"] ?? "").includes("plotly.js v2.35.3")) libraries++;
      if (r.update) { for (const c of cells) for (const o of c) if (o.id === r.id) o.data = r.data; return; }
      cells[running].push({ id: r.id, data: r.data });
    },
    clearOutput() { cells[running] = []; generation++; },
    get outputGeneration() { return generation; },
  };
  return {
    cells, bridge,
    /** Runs cell `i`: its outputs are replaced by what `body` displays (a figure as its result when asked). */
    /** How many copies of plotly.js the kernel sent so far. */
    libraries: () => libraries,
    run(i: number, body: () => unknown) {
      running = i;
      generation++;
      cells[i] = [];
      const value = body();
      if (value !== undefined) cells[i].push({ data: toMimeBundle(value) });
    },
  };
}

const copies = (cells: Out[][]) => cells.flat().filter((o) => String(o.data["text/html"] ?? "").includes("plotly.js v2.35.3")).length;
const figures = (cells: Out[][]) => cells.flat().filter((o) => o.data[plot.PLOTLY_MIME]).length;
const lossFig = () => plot.loss([{ loss: 1, val_loss: 1.2 }, { loss: 0.5, val_loss: 0.9 }]);

test("Run All, then random re-runs of single cells: plotly.js is carried once or twice, never lost while a figure is shown", () => {
  const g = globalThis as Record<symbol, unknown>;
  const before = g[BRIDGE_KEY];
  try {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const nb = notebook(2 + Math.floor(r() * 6));
      g[BRIDGE_KEY] = nb.bridge; // a fresh kernel session
      // Each cell: a figure as its result, a display() call, a live loss plot, no figure,
      // three figures, or an animation (clear_output then a figure, three times).
      const KINDS = 6, NONE = 3;
      const kinds = nb.cells.map(() => Math.floor(r() * KINDS));
      const body = (i: number) => () => {
        switch (kinds[i]) {
          case 0: return lossFig();
          case 1: display(lossFig()); return undefined;
          case 2: { const cb = plot.lossCallback(); cb.push({ loss: 1 }); cb.push({ loss: 0.5 }); cb.end(); return undefined; }
          case 4: display(lossFig()); display(lossFig()); return lossFig();
          case 5: for (let f = 0; f < 3; f++) { clearOutput({ wait: true }); display(lossFig()); } return undefined;
          default: return 2 + 2;
        }
      };
      const history: string[] = [];
      let edited = false;
      for (let i = 0; i < nb.cells.length; i++) nb.run(i, body(i));
      for (let step = 0; step < 12; step++) {
        const i = Math.floor(r() * nb.cells.length);
        if (r() < 0.15) { kinds[i] = Math.floor(r() * KINDS); edited = true; } // the user edits the cell
        nb.run(i, body(i));
        history.push(`${i}:${kinds[i]}`);
        const c = copies(nb.cells), f = figures(nb.cells);
        assert.ok(c <= 2, `seed ${seed}, after ${history}: ${c} copies of plotly.js`);
        // The latest figure shown always carries a copy in its cell.
        if (kinds[i] !== NONE) assert.ok(copies([nb.cells[i]]) >= 1, `seed ${seed}, after ${history}: the cell just run has no copy`);
        // Unedited cells re-run: a figure on the page always has a copy (an edit that removes
        // the figures of both carrying cells can leave the others without one).
        if (f > 0 && !edited) assert.ok(c >= 1, `seed ${seed}, after ${history}: figures shown without plotly.js`);
      }
    }
  } finally {
    g[BRIDGE_KEY] = before;
  }
});

test("a cell showing many figures sends plotly.js once; after clear_output, once more", () => {
  const g = globalThis as Record<symbol, unknown>;
  const before = g[BRIDGE_KEY];
  try {
    const nb = notebook(2);
    g[BRIDGE_KEY] = nb.bridge;
    nb.run(0, () => { for (let k = 0; k < 10; k++) display(lossFig()); return lossFig(); });
    assert.equal(nb.libraries(), 1, "ten displays and a result in one cell: one copy");
    assert.equal(copies(nb.cells), 1);
    nb.run(1, () => { for (let k = 0; k < 3; k++) { clearOutput({ wait: true }); display(lossFig()); } return undefined; });
    assert.equal(nb.libraries(), 4, "each clear_output may remove the cell's copy: one more each");
    assert.equal(copies(nb.cells), 2, "the first copy (cell 0) and the latest (cell 1)");
  } finally {
    g[BRIDGE_KEY] = before;
  }
});

test("outside the kernel every HTML carries plotly.js (self-contained), in the kernel none does", () => {
  const g = globalThis as Record<symbol, unknown>;
  const before = g[BRIDGE_KEY];
  try {
    g[BRIDGE_KEY] = undefined;
    assert.match(String(lossFig().toMimeBundle()["text/html"]), /plotly\.js v2\.35\.3/);
    const nb = notebook(1);
    g[BRIDGE_KEY] = nb.bridge;
    nb.run(0, lossFig);
    const [library, figure] = nb.cells[0];
    assert.match(String(library.data["text/html"]), /plotly\.js v2\.35\.3/);
    assert.doesNotMatch(String(figure.data["text/html"]), /plotly\.js v2/);
    assert.match(String(figure.data["text/html"]), /<img class="graft-static" src="data:image\/svg\+xml;base64,/);
  } finally {
    g[BRIDGE_KEY] = before;
  }
});
