/**
 * The ZeroMQ side: tslab's ZmqServer binds the five sockets; this subclass parses each message
 * (message.ts), publishes busy/idle around it, dispatches every request type of the messaging
 * spec to the kernel (kernel.ts) and sends the reply. Shell requests run one at a time, in order;
 * control requests (interrupt, shutdown) are answered even while a cell runs.
 *
 * Shutdown (a shutdown_request, or SIGTERM) ends the process cleanly and in order: the control
 * thread sends its last replies, closes its socket and ends; this thread's queued sends finish;
 * its sockets close; exit code 0. Frames are strings or small Buffers (see control_worker.ts).
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
  /** The last queued send of each socket. */
  private tails = new Map<object, Promise<unknown>>();
  private closing = false;
  private exiting: Promise<void> | undefined;
  /** Run just before the process exits cleanly. */
  readonly beforeExit: Array<() => void> = [];

  /**
   * zeromq allows one pending send per socket ("Socket is busy writing"): sends wait their turn.
   * Nothing is sent once the sockets are closing.
   */
  private queued(sock: any): Sendable {
    let q = this.sendQueues.get(sock);
    if (!q) {
      q = {
        send: (frames) => {
          if (this.closing) return;
          const tail = (this.tails.get(sock) ?? Promise.resolve())
            .then(() => (this.closing ? undefined : sock.send(frames)))
            .catch((err: Error) => kernelLog(`send failed: ${err.message}`));
          this.tails.set(sock, tail);
          return tail;
        },
      };
      this.sendQueues.set(sock, q);
    }
    return q;
  }

  /**
   * Ends the process cleanly (once; later calls wait for the first): see the file comment.
   * For instance `process.on("SIGTERM", () => server.shutdown())`.
   */
  shutdown(): Promise<void> {
    return (this.exiting ??= (async () => {
      await (this.control as unknown as ControlProxy).drain();
      await Promise.race([Promise.all(this.tails.values()), new Promise((res) => setTimeout(res, 1000))]);
      this.closing = true;
      for (const hook of this.beforeExit) {
        try {
          hook();
        } catch (err) {
          kernelLog(`at exit: ${(err as Error).message}`);
        }
      }
      try {
        this.close();
      } catch (err) {
        kernelLog(`closing the sockets failed: ${(err as Error).message}`);
      }
      process.exit(0);
    })());
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
          // The control thread has raised SIGINT already, which interrupted the cell; an awaited
          // cell still running (the signal was lost) is interrupted here.
          this.kernel.interrupt({ runningOnly: this.signalled.has(frames) });
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
    // Jupyter restarts the process itself when `restart` is set; both cases end this one.
    if (shutdown !== undefined) await this.shutdown();
  }
}

/** The control socket's stand-in on the main thread: `send` goes through the worker. */
interface ControlProxy extends Sendable {
  close(): void;
  /**
   * Resolves once every reply queued before it has been sent and the thread has ended by itself;
   * a thread that has not ended after 5 s is terminated.
   */
  drain(): Promise<void>;
}

function startControlWorker(address: string, key: string, onMessage: (frames: Buffer[], signalled: boolean) => void): Promise<ControlProxy> {
  const worker = new Worker(path.join(__dirname, "control_worker.js"), { workerData: { address, key } });
  worker.unref();
  let exited = false;
  const ended = new Promise<void>((resolve) =>
    worker.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  const proxy: ControlProxy = {
    // Strings stay strings: the worker sends them as text frames.
    send: (frames) => (exited ? undefined : worker.postMessage(frames)),
    close: () => (exited ? undefined : worker.postMessage("close")),
    drain: () => {
      proxy.close();
      const late = setTimeout(() => {
        kernelLog("the control thread did not end within 5 s; terminating it");
        worker.terminate().catch(() => {});
      }, 5000);
      return ended.finally(() => clearTimeout(late));
    },
  };
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (m: "ready" | ControlIn) => {
      if (m === "ready") resolve(proxy);
      else onMessage(m.frames.map((f) => Buffer.from(f)), m.signalled);
    });
  });
}
