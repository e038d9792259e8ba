/**
 * Test helper: a local HTTP server on 127.0.0.1 serving byte arrays by path, counting requests,
 * optionally slow (chunks with pauses) so a test can look at the cache mid-download.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface TestServer {
  base: string;
  files: Map<string, Uint8Array>;
  requests: string[];
  /** Bytes per chunk and pause between chunks (ms) when > 0. */
  slow: { chunk: number; pauseMs: number };
  /** When > 0: send only this many bytes of a file, then drop the connection. */
  cut: { after: number };
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const files = new Map<string, Uint8Array>();
  const requests: string[] = [];
  const slow = { chunk: 0, pauseMs: 0 };
  const cut = { after: 0 };
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const body = files.get(req.url ?? "");
    if (!body) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
    if (cut.after > 0) {
      res.write(Buffer.from(body.subarray(0, cut.after)));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (slow.chunk <= 0) return void res.end(Buffer.from(body));
    let at = 0;
    const next = (): void => {
      if (at >= body.length) return void res.end();
      res.write(Buffer.from(body.subarray(at, at + slow.chunk)));
      at += slow.chunk;
      setTimeout(next, slow.pauseMs);
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/`,
    files,
    requests,
    slow,
    cut,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
