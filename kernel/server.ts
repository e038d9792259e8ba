/**
 * The ZeroMQ side: tslab's ZmqServer binds the five sockets; this subclass parses each message
 * (message.ts), publishes busy/idle around it, dispatches every request type of the messaging
 * spec to the kernel (kernel.ts) and sends the reply. Shell requests run one at a time, in order;
 * control requests (interrupt, shutdown) are answered even while a cell runs.
 */
import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { ZmqServer } from "tslab/dist/jupyter";
import type { ControlIn } from "./control_worker";
import { Message, type Sendable } from "./message";
import { kernelLog, type IopubSend } from "./output";
import type { GraftKernel } from "./kernel";

export class GraftServer extends ZmqServer {
  private shellChain: Promise<void> = Promise.resolve();

  constructor(readonly kernel: GraftKernel, configPath: string) {
    super(kernel as unknown as ConstructorParameters<typeof ZmqServer>[0], configPath);
  }

  private signalled = new WeakSet<Buffer[]>();
  private sendQueues = new WeakMap<object, Sendable>();

  /** zeromq allows one pending send per socket ("Socket is busy writing"): sends wait their turn. */
  private queued(sock: any): Sendable {
    let q = this.sendQueues.get(sock);
    if (!q) {
      let tail: Promise<unknown> = Promise.resolve();
      q = {
        send: (frames) => {
          tail = tail.then(() => sock.send(frames)).catch((err: Error) => kernelLog(`send failed: ${err.message}`));
          return tail;
        },
      };
      this.sendQueues.set(sock, q);
    }
    return q;
  }

  /**
   * Binds the sockets as tslab does, except control, which a worker thread serves
   * (control_worker.ts), and starts the receive loops.
   */
  override async init(): Promise<void> {
    const conn = JSON.parse(fs.readFileSync(this.configPath, "utf8"));
    this.connInfo = conn;
    const zmq = require("zeromq") as typeof import("zeromq");
    const address = (port: number) => `${conn.transport}://${conn.ip}:${port}`;
    this.iopub = new zmq.Publisher();
    this.shell = new zmq.Router();
    this.stdin = new zmq.Router();
    this.hb = new zmq.Reply();
    const control = await startControlWorker(address(conn.control_port), conn.key, (frames, signalled) => {
      if (signalled) this.signalled.add(frames);
      this.handleShellMessage(control, ...frames);
    });
    this.control = control as unknown as typeof this.control;
    await Promise.all([
      this.iopub.bind(address(conn.iopub_port)),
      this.shell.bind(address(conn.shell_port)),
      this.stdin.bind(address(conn.stdin_port)),
      this.hb.bind(address(conn.hb_port)),
    ]);
    (async () => {
      for await (const frames of this.shell) this.handleShellMessage(this.shell, ...(frames as Buffer[]));
    })();
    (async () => {
      for await (const frames of this.hb) await this.hb.send(frames);
    })();
  }

  override async handleShellMessage(sock: any, ...frames: Buffer[]): Promise<void> {
    if (sock === this.control) return this.dispatch(sock, frames);
    const run = this.shellChain.then(() => this.dispatch(sock, frames));
    this.shellChain = run.catch(() => {});
    return run;
  }

  private async dispatch(sock: Sendable, frames: Buffer[]): Promise<void> {
    let msg: Message;
    try {
      msg = Message.parse(this.connInfo.key, frames);
    } catch (err) {
      kernelLog(`dropped a message: ${(err as Error).message}`);
      return;
    }
    const key = this.connInfo.key;
    const pub = this.queued(this.iopub);
    const out = sock === this.control ? sock : this.queued(sock);
    const iopub: IopubSend = (type, content) => msg.reply(type, content).send(key, pub);
    const reply = (content: Record<string, unknown>) => msg.reply(msg.header.msg_type.replace(/_request$/, "_reply"), content).send(key, out);
    iopub("status", { execution_state: "busy" });
    let shutdown: boolean | undefined;
    try {
      const c = msg.content ?? {};
      switch (msg.header.msg_type) {
        case "kernel_info_request":
          reply(this.kernel.kernelInfo());
          break;
        case "execute_request":
          reply(await this.kernel.execute(c, iopub));
          break;
        case "complete_request":
          reply(this.kernel.complete(c.code, c.cursor_pos));
          break;
        case "inspect_request":
          reply(this.kernel.inspect(c.code, c.cursor_pos));
          break;
        case "is_complete_request":
          reply(this.kernel.isComplete(c.code));
          break;
        case "history_request":
          reply(this.kernel.historyQuery(c));
          break;
        case "comm_info_request":
          reply({ status: "ok", comms: {} });
          break;
        case "comm_open":
          // No comm targets: close it so the frontend does not wait.
          iopub("comm_close", { comm_id: c.comm_id, data: {} });
          break;
        case "comm_msg":
        case "comm_close":
          break;
        case "interrupt_request":
          // The control thread has raised SIGINT already, which interrupted the cell.
          if (!this.signalled.has(frames)) this.kernel.interrupt();
          reply({ status: "ok" });
          break;
        case "shutdown_request":
          shutdown = !!c.restart;
          reply({ status: "ok", restart: shutdown });
          break;
        default:
          kernelLog(`unsupported message type ${msg.header.msg_type}`);
      }
    } catch (err) {
      kernelLog(`${msg.header.msg_type} failed: ${(err as Error).stack ?? err}`);
    } finally {
      iopub("status", { execution_state: "idle" });
    }
    if (shutdown !== undefined) {
      // Jupyter restarts the process itself when `restart` is set; both cases end this one.
      const control = this.control as unknown as ControlProxy;
      await control.drain();
      try {
        this.close();
      } finally {
        process.exit(0);
      }
    }
  }
}

/** The control socket's stand-in on the main thread: `send` goes through the worker. */
interface ControlProxy extends Sendable {
  close(): void;
  /** Resolves once every reply queued before it has been sent and the thread has ended. */
  drain(): Promise<void>;
}

function startControlWorker(address: string, key: string, onMessage: (frames: Buffer[], signalled: boolean) => void): Promise<ControlProxy> {
  const worker = new Worker(path.join(__dirname, "control_worker.js"), { workerData: { address, key } });
  worker.unref();
  const proxy: ControlProxy = {
    send: (frames) => worker.postMessage(frames.map((f) => (typeof f === "string" ? Buffer.from(f) : f))),
    close: () => worker.postMessage("close"),
    drain: () =>
      new Promise<void>((resolve) => {
        worker.once("exit", () => resolve());
        worker.postMessage("close");
        setTimeout(resolve, 2000).unref();
      }),
  };
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (m: "ready" | ControlIn) => {
      if (m === "ready") resolve(proxy);
      else onMessage(m.frames.map((f) => Buffer.from(f)), m.signalled);
    });
  });
}
