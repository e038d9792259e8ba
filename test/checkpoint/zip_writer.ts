/**
 * Test helper (not a test): a minimal ZIP writer (stored members, ZIP64 when sizes or offsets
 * pass 4 GiB, ZIP64 end records always, like torch) that can leave a member's bytes as a hole,
 * so multi-GiB sparse checkpoints cost no disk. Plus a tiny protocol-2 pickle emitter for torch
 * state dicts. CRCs are written as 0 (graft does not check them).
 */
import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";

export interface ZipMember {
  name: string;
  /** The bytes, or a length to leave as a hole (optionally with some bytes written at its end). */
  data: Uint8Array | { length: number; tail?: Uint8Array };
  /** Align data to this many bytes through a padding extra field (torch uses 64). */
  align?: number;
}

const SAT = 0xffffffff;

function u16(n: number): Buffer { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; }
function u32(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; }
function u64(n: number): Buffer { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; }

/** Writes `members` as a zip at `path`; returns the file size. */
export function writeZip(path: string, members: ZipMember[]): number {
  const fd = openSync(path, "w");
  let pos = 0;
  const put = (b: Uint8Array): void => { writeSync(fd, b, 0, b.length, pos); pos += b.length; };
  const central: Buffer[] = [];
  try {
    for (const m of members) {
      const name = Buffer.from(m.name);
      const size = m.data instanceof Uint8Array ? m.data.length : m.data.length;
      const offset = pos;
      const big = size >= SAT;
      let extra = big ? Buffer.concat([u16(1), u16(16), u64(size), u64(size)]) : Buffer.alloc(0);
      if (m.align) {
        const start = offset + 30 + name.length + extra.length + 4;
        const pad = (m.align - (start % m.align)) % m.align;
        extra = Buffer.concat([extra, u16(0x4246), u16(pad), Buffer.alloc(pad)]);
      }
      put(Buffer.concat([u32(0x04034b50), u16(45), u16(0), u16(0), u16(0), u16(0), u32(0),
        u32(big ? SAT : size), u32(big ? SAT : size), u16(name.length), u16(extra.length), name, extra]));
      if (m.data instanceof Uint8Array) put(m.data);
      else {
        const tail = m.data.tail ?? new Uint8Array(0);
        pos += size - tail.length;
        put(tail);
      }
      const z64: Buffer[] = [];
      if (big) z64.push(u64(size), u64(size));
      if (offset >= SAT) z64.push(u64(offset));
      const cextra = z64.length ? Buffer.concat([u16(1), u16(8 * z64.length), ...z64]) : Buffer.alloc(0);
      central.push(Buffer.concat([u32(0x02014b50), u16(45), u16(45), u16(0), u16(0), u16(0), u16(0), u32(0),
        u32(big ? SAT : size), u32(big ? SAT : size), u16(name.length), u16(cextra.length), u16(0), u16(0), u16(0), u32(0),
        u32(offset >= SAT ? SAT : offset), name, cextra]));
    }
    const cdOffset = pos;
    const cd = Buffer.concat(central);
    put(cd);
    const z64At = pos;
    put(Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(members.length), u64(members.length), u64(cd.length), u64(cdOffset)]));
    put(Buffer.concat([u32(0x07064b50), u32(0), u64(z64At), u32(1)]));
    put(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(SAT), u32(SAT), u16(0)]));
    ftruncateSync(fd, pos);
  } finally {
    closeSync(fd);
  }
  return pos;
}

/** A torch state dict's data.pkl (protocol 2): float32 tensors, each on its own storage `key`. */
export function torchStateDictPickle(tensors: Array<{ name: string; key: string; shape: number[]; offset?: number; stride?: number[]; numel?: number }>): Uint8Array {
  const parts: Buffer[] = [Buffer.from([0x80, 2])];
  const op = (...b: number[]): void => { parts.push(Buffer.from(b)); };
  const str = (s: string): void => { const b = Buffer.from(s); op(0x58); parts.push(u32(b.length), b); };
  const int = (n: number): void => { op(0x4a); const b = Buffer.alloc(4); b.writeInt32LE(n); parts.push(b); };
  const global = (m: string, n: string): void => { op(0x63); parts.push(Buffer.from(`${m}\n${n}\n`)); };
  const ints = (xs: number[]): void => { op(0x28); xs.forEach(int); op(0x74); };
  global("collections", "OrderedDict"); op(0x29, 0x52);
  for (const t of tensors) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const stride = t.stride ?? t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    str(t.name);
    global("torch._utils", "_rebuild_tensor_v2");
    op(0x28); // MARK: the argument tuple
    op(0x28); str("storage"); global("torch", "FloatStorage"); str(t.key); str("cpu"); int(t.numel ?? numel); op(0x74, 0x51);
    int(t.offset ?? 0); ints(t.shape); ints(stride); op(0x89);
    global("collections", "OrderedDict"); op(0x29, 0x52);
    op(0x74, 0x52, 0x73); // TUPLE, REDUCE, SETITEM
  }
  op(0x2e);
  return Buffer.concat(parts);
}
