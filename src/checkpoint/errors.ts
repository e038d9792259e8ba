import { GraftError } from "../errors";

/**
 * A checkpoint file is malformed, unsupported or unsafe. Carries the file, the entry (tensor
 * or archive member) and the byte offset where known, so callers need not parse the message.
 */
export class GraftFormatError extends GraftError {
  readonly file: string;
  readonly entry?: string;
  readonly offset?: number;
  constructor(file: string, message: string, details: { entry?: string; offset?: number; cause?: unknown } = {}) {
    super(`${file}${details.entry !== undefined ? ` [${details.entry}]` : ""}: ${message}`, { cause: details.cause });
    this.file = file;
    this.entry = details.entry;
    this.offset = details.offset;
  }
}

/** A pickle asked to call something graft never calls (code execution attempt or unknown global). */
export class GraftUnsafePickleError extends GraftFormatError {
  readonly global: string;
  constructor(file: string, global: string, details: { entry?: string; offset?: number } = {}) {
    super(
      file,
      `refused to call ${global}: pickles may only call allowlisted torch/collections builtins; ` +
        `this file tries to run code. If you trust it, re-save it as a state dict or safetensors in Python.`,
      details,
    );
    this.global = global;
  }
}
