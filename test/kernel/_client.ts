/**
 * A small Jupyter client for the kernel tests and the startup benchmark: starts a kernel process
 * with a fresh connection file, speaks the wire protocol over zeromq (tslab's dependency) with
 * the kernel's own Message class, and collects each request's iopub messages up to `idle`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import * as zmq from "zeromq";
import { Message } from "../../kernel/message";
import { KERNEL_MAIN } from "./_build";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export interface Reply {
  reply: Message;
  /** iopub messages of this request, `status` excluded, in order. */
  iopub: Message[];
}

export class KernelClient {
  readonly key = randomBytes(16).toString("hex");
  proc!: ChildProcess;
  stderr = "";
  private shell = new zmq.Dealer();
  private control = new zmq.Dealer();
  private sub = new zmq.Subscriber();
  private session = randomBytes(8).toString("hex");
  private iopubByParent = new Map<string, Message[]>();
  private waiters = new Map<string, (m: Message) => void>();
  private idleWaiters = new Map<string, () => void>();
  private closed = false;

  /** Starts `argv` (default: the graft kernel) in `cwd`; resolves once the kernel answers. */
  static async start(opts: { cwd?: string; argv?: string[] } = {}): Promise<KernelClient> {
    const c = new KernelClient();
    const ports = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
    const conn = {
      transport: "tcp", ip: "127.0.0.1", signature_scheme: "hmac-sha256", key: c.key, kernel_name: "graft",
      shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4],
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "graft-conn-")), "kernel.json");
    fs.writeFileSync(file, JSON.stringify(conn));
    const argv = opts.argv ?? [process.execPath, KERNEL_MAIN, "--config-path"];
    c.proc = spawn(argv[0], [...argv.slice(1), file], { cwd: opts.cwd ?? process.cwd(), stdio: ["ignore", "ignore", "pipe"] });
    c.proc.stderr!.on("data", (d) => (c.stderr += d));
    c.shell.connect(`tcp://127.0.0.1:${conn.shell_port}`);
    c.control.connect(`tcp://127.0.0.1:${conn.control_port}`);
    c.sub.connect(`tcp://127.0.0.1:${conn.iopub_port}`);
    c.sub.subscribe();
    c.pump(c.shell);
    c.pump(c.control);
    c.pumpIopub();
    await c.waitReady();
    return c;
  }

  private async pump(sock: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of sock) {
        const m = Message.parse(this.key, frames as Buffer[]);
        this.waiters.get(m.parent.msg_id!)?.(m);
      }
    } catch (err) {
      if (!this.closed) throw err;
    }
  }

  private async pumpIopub(): Promise<void> {
    try {
      for await (const frames of this.sub) {
        const m = Message.parse(this.key, frames as Buffer[]);
        const id = m.parent.msg_id ?? "";
        if (m.header.msg_type === "status") {
          if (m.content.execution_state === "idle") this.idleWaiters.get(id)?.();
          continue;
        }
        if (!this.iopubByParent.has(id)) this.iopubByParent.set(id, []);
        this.iopubByParent.get(id)!.push(m);
      }
    } catch (err) {
      if (!this.closed) throw err;
    }
  }

  /** iopub is connected once a kernel_info request's idle status arrives (zmq's slow joiner). */
  private async waitReady(): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const r = await Promise.race([this.request("kernel_info_request", {}), new Promise<undefined>((res) => setTimeout(res, 500))]);
      if (r) return;
      if (this.proc.exitCode !== null) throw new Error(`kernel exited: ${this.stderr}`);
    }
    throw new Error(`kernel did not answer: ${this.stderr}`);
  }

  /** Sends a request and resolves with its reply and its iopub messages (after `idle`). */
  request(type: string, content: Record<string, unknown>, channel: "shell" | "control" = "shell"): Promise<Reply> {
    const header = { msg_id: randomBytes(16).toString("hex"), msg_type: type, session: this.session, username: "test", date: new Date().toISOString(), version: "5.3" };
    const msg = new Message(header, {}, content);
    const sock = channel === "shell" ? this.shell : this.control;
    const reply = new Promise<Message>((res) => this.waiters.set(header.msg_id, res));
    const idle = new Promise<void>((res) => this.idleWaiters.set(header.msg_id, res));
    msg.send(this.key, sock as unknown as { send(f: Array<Buffer | string>): unknown });
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${type} reply and idle status within 120 s; kernel stderr: ${this.stderr}`)), 120_000);
    });
    return Promise.race([Promise.all([reply, idle]), limit]).then(([r]) => {
      clearTimeout(timer);
      this.waiters.delete(header.msg_id);
      this.idleWaiters.delete(header.msg_id);
      return { reply: r, iopub: this.iopubByParent.get(header.msg_id) ?? [] };
    });
  }

  execute(code: string, extra: Record<string, unknown> = {}): Promise<Reply> {
    return this.request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra });
  }

  /** Resolves when the kernel process has exited. */
  exited(): Promise<number | null> {
    return this.proc.exitCode !== null ? Promise.resolve(this.proc.exitCode) : new Promise((res) => this.proc.once("exit", (code) => res(code)));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.proc.exitCode === null) {
      this.proc.kill("SIGTERM");
      await this.exited();
    }
    this.shell.close();
    this.control.close();
    this.sub.close();
  }
}

/** Text of a stream/execute_result/display_data/error message, for assertions. */
export function textOf(m: Message): string {
  const c = m.content;
  if (c.text !== undefined) return c.text;
  if (c.data) return String(c.data["text/plain"] ?? "");
  if (c.ename) return `${c.ename}: ${c.evalue}`;
  return "";
}
