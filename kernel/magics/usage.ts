/** A bad magic or argument: shown as one line `UsageError: …` with the usage, never a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A cell that a magic ran failed (its error is already in Jupyter's shape). */
export class CellFailure extends Error {
  constructor(readonly error: { ename: string; evalue: string; traceback: string[] }) {
    super(`${error.ename}: ${error.evalue}`);
    this.name = "CellFailure";
  }
}
