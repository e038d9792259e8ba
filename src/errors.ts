/** Base of graft's own error classes: `name` is set so logs and `instanceof` both tell them apart. */
export class GraftError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
