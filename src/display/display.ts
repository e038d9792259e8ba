/**
 * `display(value)`: shows a value as a rich output of the running notebook cell (through the
 * kernel bridge), or as text on stdout outside the graft kernel. Returns a handle whose
 * `update(value)` replaces that output in place (`update_display_data` with the full bundle).
 */
import { randomBytes } from "node:crypto";
import { kernelBridge, type MimeBundle } from "./bridge";
import { toMimeBundle } from "./mime";

export interface DisplayOptions {
  /** A display id; outputs shown under the same id are replaced by `update`. Default: a fresh id. */
  id?: string;
  /** Jupyter output metadata, e.g. `{ "image/png": { width: 200 } }`. */
  metadata?: Record<string, unknown>;
  /** `value` is already a mime bundle: send it as is (with `text/plain` filled in if missing). */
  raw?: boolean;
}

/** A shown output that can be replaced. */
export interface DisplayHandle {
  /** The display id the kernel knows this output by. */
  readonly id: string;
  /** Replaces the output with `value`'s bundle (every mime type, not a diff). */
  update(value: unknown, opts?: Pick<DisplayOptions, "metadata" | "raw">): void;
}

function bundleOf(value: unknown, raw?: boolean): MimeBundle {
  if (!raw) return toMimeBundle(value);
  const b = { ...(value as MimeBundle) };
  if (b["text/plain"] === undefined) b["text/plain"] = "";
  return b;
}

function show(bundle: MimeBundle, id: string, update: boolean, metadata?: Record<string, unknown>): void {
  const bridge = kernelBridge();
  if (bridge) bridge.display({ data: bundle, metadata: metadata ?? {}, id, update });
  else console.log(String(bundle["text/plain"]));
}

/**
 * Shows `value` in the notebook: every mime type graft can render for it (see `toMimeBundle`).
 * @param value anything: a Tensor, a LayersModel, a LoadReport, a figure, an object with
 *   `toHTML()` or `[Symbol.for("Jupyter.display")]()`, or plain data
 * @returns a handle to update the same output later
 * @example Live progress
 * ```ts
 * const h = display("epoch 0");
 * for (let e = 1; e <= 3; e++) h.update(`epoch ${e}`);
 * ```
 */
export function display(value: unknown, opts: DisplayOptions = {}): DisplayHandle {
  const id = opts.id ?? randomBytes(8).toString("hex");
  show(bundleOf(value, opts.raw), id, false, opts.metadata);
  const handle: DisplayHandle = {
    id,
    update(next: unknown, o: Pick<DisplayOptions, "metadata" | "raw"> = {}) {
      show(bundleOf(next, o.raw), id, true, o.metadata ?? opts.metadata);
    },
  };
  // `display(x)` as a cell's last line shows x once, not the handle as well.
  Object.defineProperty(handle, NO_RESULT, { value: true });
  return handle;
}

/** Values carrying this symbol are not shown as a cell's execute_result (display handles). */
export const NO_RESULT = Symbol.for("graft.noResult");

/**
 * Clears the running cell's outputs; with `wait`, only when the next output arrives (no flicker).
 * Outside the kernel it does nothing.
 * @example
 * ```ts
 * for (let i = 0; i < 3; i++) { clearOutput({ wait: true }); display(i); }
 * ```
 */
export function clearOutput(opts: { wait?: boolean } = {}): void {
  kernelBridge()?.clearOutput(!!opts.wait);
}
