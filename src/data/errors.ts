/** Errors raised while reading images and building datasets. */
import { GraftError } from "../errors";

/** Why an image could not be read: a stable code to branch on. */
export type ImageErrorReason = "unreadable" | "not-an-image" | "unsupported" | "corrupt" | "truncated" | "too-large";

/**
 * An image file could not be decoded: unreadable, not an image, an unsupported variant,
 * corrupt, truncated, or larger than the pixel limit. `file` names it; `reason` is a stable
 * code; `width`/`height` are set when the header was readable.
 * @example
 * ```ts
 * try { await graft.data.readImage("photos/cat.jpg"); }
 * catch (e) { if (e instanceof graft.data.GraftImageError) console.log(e.file, e.reason); }
 * ```
 */
export class GraftImageError extends GraftError {
  readonly file: string;
  readonly reason: ImageErrorReason;
  readonly width?: number;
  readonly height?: number;
  /**
   * @param file the image's path
   * @param reason the stable code
   * @param message what failed and the fix (the file name is prefixed)
   * @param details header size when known; the underlying error
   */
  constructor(file: string, reason: ImageErrorReason, message: string, details: { width?: number; height?: number; cause?: unknown } = {}) {
    super(`Cannot read image ${file}: ${message}`, { cause: details.cause });
    this.file = file;
    this.reason = reason;
    this.width = details.width;
    this.height = details.height;
  }
}

/** A dataset folder is missing or empty, a class holds no image, or a batch's samples differ in size. */
export class GraftDatasetError extends GraftError {
  readonly root: string;
  readonly reason: "missing-root" | "no-classes" | "empty-class" | "shape-mismatch";
  readonly className?: string;
  /**
   * @param root the dataset's root folder
   * @param reason the stable code
   * @param message what failed and the fix
   * @param className the class at fault, when one is
   */
  constructor(root: string, reason: GraftDatasetError["reason"], message: string, className?: string) {
    super(message);
    this.root = root;
    this.reason = reason;
    this.className = className;
  }
}
