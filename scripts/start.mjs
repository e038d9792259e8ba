// `npm start`: the main job. Installs what is missing, builds, registers the graft kernel with
// Jupyter, runs notebooks/01-quickstart.ipynb through it headless, and writes the executed
// notebook and its HTML to out/.
import { join } from "node:path";
import { root, setup, sh } from "./_setup.mjs";

setup();
const cli = join(root, "dist", "kernel", "cli.js");
const notebook = process.argv[2] ?? "notebooks/01-quickstart.ipynb";
const name = notebook.replace(/^.*\//, "").replace(/\.ipynb$/, "");
try {
  sh(process.execPath, [cli, "install"]);
  sh(process.execPath, [cli, "run", notebook, "--output", `out/${name}.ipynb`, "--html", `out/${name}.html`]);
} catch (err) {
  process.exit(err.status ?? 1);
}
