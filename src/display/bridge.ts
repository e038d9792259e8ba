/**
 * The one piece of global state graft has: a bridge on `globalThis[Symbol.for("graft.kernel")]`
 * that the graft kernel installs, so that any copy of the library (the kernel's own, or one a
 * notebook `require`s from elsewhere) reaches the kernel's display channel.
 */

/** mime type → data, as in Jupyter's display_data (`text/plain` always present). */
export type MimeBundle = Record<string, unknown>;

export interface DisplayRequest {
  data: MimeBundle;
  metadata?: Record<string, unknown>;
  /** A display id: with `update: true`, replaces the output shown under this id. */
  id?: string;
  update?: boolean;
}

export interface KernelBridge {
  /** Sends display_data (or update_display_data when `update`) on iopub for the running cell. */
  display(req: DisplayRequest): void;
  /** Sends clear_output. */
  clearOutput(wait: boolean): void;
  /**
   * Changes whenever the running cell's outputs may have been emptied (a new cell starts,
   * clear_output); while it stays the same, what was shown is still in the cell. Optional.
   */
  readonly outputGeneration?: number;
  /** Free-form registry the kernel keeps (magics, history…); not for library use. */
  [key: string]: unknown;
}

export const BRIDGE_KEY = Symbol.for("graft.kernel");

/** The kernel's bridge when running inside the graft kernel, else undefined. */
export function kernelBridge(): KernelBridge | undefined {
  return (globalThis as Record<symbol, KernelBridge | undefined>)[BRIDGE_KEY];
}
