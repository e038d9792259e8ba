/**
 * The control channel lives on its own thread so that `interrupt_request` works while the main
 * thread is stuck in a synchronous cell: this thread receives it and raises SIGINT in the process
 * at once (node's breakOnSigint then breaks the running script). Every control message is also
 * passed to the main thread, which publishes busy/idle and writes the reply; this thread sends it.
 *
 * Frames go out as strings (JSON bodies, signature) or small Buffers (identities, delimiter):
 * zeromq.js sends a Buffer over 128 bytes zero-copy and releases it later from a libzmq I/O thread
 * into this thread's queue, which is freed when the thread ends; a reply still in flight then
 * corrupted the heap at shutdown ("corrupted double-linked list"). A string is copied and freed
 * by libzmq alone. At "close" the socket closes and the thread ends by itself (no process.exit,
 * which zeromq.js does not survive in a worker).
 */
import { parentPort, workerData } from "node:worker_threads";
import { Message } from "./message";

interface Data {
  address: string;
  key: string;
}

/** Worker → main: a control message's frames and whether SIGINT was already raised for it. */
export interface ControlIn {
  frames: Uint8Array[];
  signalled: boolean;
}

async function serve({ address, key }: Data): Promise<void> {
  const zmq = require("zeromq") as typeof import("zeromq");
  const sock = new zmq.Router();
  await sock.bind(address);
  // zeromq allows one pending send per socket: queue them. "close" comes after the last reply.
  let sending: Promise<unknown> = Promise.resolve();
  let closed = false;
  parentPort!.on("message", (m: Array<Uint8Array | string> | "close") => {
    if (closed) return;
    if (m === "close") {
      closed = true;
      sending.finally(() => {
        sock.close();
        parentPort!.close();
      });
      return;
    }
    sending = sending.then(() => sock.send(m.map((f) => (typeof f === "string" ? f : Buffer.from(f))))).catch(() => {});
  });
  parentPort!.postMessage("ready");
  try {
    for await (const frames of sock) {
      let signalled = false;
      try {
        if (Message.parse(key, frames as Buffer[]).header.msg_type === "interrupt_request") {
          process.kill(process.pid, "SIGINT");
          signalled = true;
        }
      } catch {
        // a bad signature: the main thread reports it
      }
      const msg: ControlIn = { frames: (frames as Buffer[]).map((f) => new Uint8Array(f)), signalled };
      parentPort!.postMessage(msg);
    }
  } catch (err) {
    if (!closed) throw err;
  }
}

if (parentPort && workerData) serve(workerData as Data);
