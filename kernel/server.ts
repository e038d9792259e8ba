/**
 * The ZeroMQ side: tslab's ZmqServer binds the five sockets; this subclass parses each message
 * (message.ts), publishes busy/idle around it, dispatches every request type of the messaging
 * spec to the kernel (kernel.ts) and sends the reply. Shell requests run one at a time, in order;
 * control requests (interrupt, shutdown) are answered even while a cell runs.
 */
import { ZmqServer } from "tslab/dist/jupyter";
import { Message, type Sendable } from "./message";
import { kernelLog, type IopubSend } from "./output";
import type { GraftKernel } from "./kernel";

export class GraftServer extends ZmqServer {
  private shellChain: Promise<void> = Promise.resolve();

  constructor(readonly kernel: GraftKernel, configPath: string) {
    super(kernel as unknown as ConstructorParameters<typeof ZmqServer>[0], configPath);
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
    const iopub: IopubSend = (type, content) => msg.reply(type, content).send(key, this.iopub as unknown as Sendable);
    const reply = (content: Record<string, unknown>) =>
      msg.reply(msg.header.msg_type.replace(/_request$/, "_reply"), content).send(key, sock);
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
          this.kernel.interrupt();
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
      setTimeout(() => {
        try {
          this.close();
        } finally {
          process.exit(0);
        }
      }, 50);
    }
  }
}
