/**
 * One Jupyter wire-protocol message (protocol 5.3): parse, verify, reply, sign and send.
 * Spec: https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol
 */
import { createHmac, randomBytes } from "node:crypto";

const DELIM = Buffer.from("<IDS|MSG>");

export interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** Anything with `send(frames)`: a zeromq socket. */
export interface Sendable {
  send(frames: Array<Buffer | string>): unknown;
}

/** A parsed message; `reply()` makes a child addressed to the same peer. */
export class Message {
  identity: Buffer[] = [];
  header: Header;
  parent: Partial<Header>;
  metadata: Record<string, unknown> = {};
  content: any;

  constructor(header: Header, parent: Partial<Header>, content: unknown) {
    this.header = header;
    this.parent = parent;
    this.content = content;
  }

  /**
   * Parses raw frames, checking the HMAC signature.
   * @example
   * const frames = [Buffer.from("<IDS|MSG>"), Buffer.from("bad signature"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
 * assert.throws(() => Message.parse("key", frames)); // the HMAC does not match
   */
  static parse(key: string, frames: Buffer[]): Message {
    const at = frames.findIndex((f) => f.equals(DELIM));
    if (at < 0) throw new Error(`Cannot parse a Jupyter message: no <IDS|MSG> delimiter among ${frames.length} frames`);
    const signature = frames[at + 1].toString();
    const parts = frames.slice(at + 2, at + 6);
    if (key) {
      const want = sign(key, parts.map((p) => p.toString()));
      if (want !== signature) throw new Error(`Cannot accept a Jupyter message: bad HMAC signature ${signature}`);
    }
    const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString()));
    const msg = new Message(header, parent, content);
    msg.identity = frames.slice(0, at);
    msg.metadata = metadata;
    return msg;
  }

  /** A message of `msgType` whose parent is this one (same identities, same session). */
  reply(msgType: string, content: unknown = {}): Message {
    const header: Header = {
      msg_id: randomBytes(16).toString("hex"),
      msg_type: msgType,
      session: this.header.session,
      username: this.header.username,
      date: new Date().toISOString(),
      version: "5.3",
    };
    const msg = new Message(header, this.header, content);
    msg.identity = this.identity;
    return msg;
  }

  /** tslab's ZmqServer.publishStatus calls this; same as reply() with empty content. */
  createReply(): Message {
    return this.reply(this.header.msg_type);
  }

  /** Signs with `key` and sends on `sock`. */
  send(key: string, sock: Sendable): void {
    const bodies = [this.header, this.parent, this.metadata, this.content].map((x) => JSON.stringify(x));
    sock.send([...this.identity, DELIM, key ? sign(key, bodies) : "", ...bodies]);
  }

  /** tslab's name for send(). */
  signAndSend(key: string, sock: Sendable): void {
    this.send(key, sock);
  }
}

function sign(key: string, parts: string[]): string {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}
