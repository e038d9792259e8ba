/**
 * The session's input history for `history_request`: tail, range and search (glob pattern,
 * `unique`, `n`), with or without outputs, in IPython's `[session, line, input]` shape.
 */

type Entry = [session: number, line: number, input: string | [string, string | null]];

/** What a history_request asks for (Jupyter messaging spec). */
export interface HistoryRequest {
  output?: boolean;
  hist_access_type: "tail" | "range" | "search";
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

/**
 * @example
 * const h = new History();
 * h.add(1, "6 * 7", "42");
 * h.query({ hist_access_type: "tail", n: 1 }); // [[1, 1, "6 * 7"]]
 */
export class History {
  /** Session number of this kernel run (IPython numbers them from 1). */
  readonly session = 1;
  private items: Array<{ line: number; input: string; output: string | null }> = [];

  add(line: number, input: string, output: string | null = null): void {
    this.items.push({ line, input, output });
  }

  query(req: HistoryRequest): Entry[] {
    let rows = this.items;
    if (req.hist_access_type === "range") {
      if (req.session !== undefined && req.session !== this.session && req.session !== 0) return [];
      const start = req.start ?? 1;
      const stop = req.stop ?? Infinity;
      rows = rows.filter((r) => r.line >= start && r.line < stop);
    } else if (req.hist_access_type === "search") {
      const re = globToRegExp(req.pattern ?? "*");
      rows = rows.filter((r) => re.test(r.input));
      if (req.unique) {
        const seen = new Set<string>();
        rows = [...rows].reverse().filter((r) => !seen.has(r.input) && !!seen.add(r.input)).reverse();
      }
      if (req.n) rows = rows.slice(-req.n);
    } else if (req.n !== undefined) {
      rows = req.n > 0 ? rows.slice(-req.n) : [];
    }
    return rows.map((r) => [this.session, r.line, req.output ? [r.input, r.output] : r.input]);
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}
