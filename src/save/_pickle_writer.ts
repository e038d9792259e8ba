/**
 * Private: the `data.pkl` of a torch state dict, pickle protocol 2, using only opcodes and
 * globals that `torch.load(..., weights_only=True)` accepts on torch 1.13 and 2.x (no memo):
 * `OrderedDict()` filled by SETITEM with `torch._utils._rebuild_tensor_v2(storage, offset,
 * size, stride, False, OrderedDict())`, each storage a persistent id
 * `("storage", torch.FloatStorage, "<key>", "cpu", numel)` whose bytes are `data/<key>`.
 */

/** A tensor as the pickle names it: its storage key, torch storage class and shape. */
export interface PickledTensor {
  name: string;
  key: string;
  storage: "FloatStorage" | "IntStorage" | "LongStorage";
  shape: number[];
  /** Strides in elements; row-major when absent. */
  stride?: number[];
}

class Out {
  private parts: Buffer[] = [];
  op(...b: number[]): void { this.parts.push(Buffer.from(b)); }
  str(s: string): void {
    const b = Buffer.from(s, "utf8");
    const n = Buffer.alloc(5);
    n[0] = 0x58; // BINUNICODE
    n.writeUInt32LE(b.length, 1);
    this.parts.push(n, b);
  }
  int(v: number): void {
    if (v >= 0 && v < 256) return this.op(0x4b, v); // BININT1
    if (v >= 0 && v < 65536) return this.op(0x4d, v & 0xff, v >> 8); // BININT2
    if (v >= -0x80000000 && v <= 0x7fffffff) {
      const b = Buffer.alloc(5);
      b[0] = 0x4a; // BININT
      b.writeInt32LE(v, 1);
      return void this.parts.push(b);
    }
    const b = Buffer.alloc(10);
    b[0] = 0x8a; // LONG1, 8 bytes little-endian two's complement
    b[1] = 8;
    b.writeBigInt64LE(BigInt(v), 2);
    this.parts.push(b);
  }
  global(module: string, name: string): void { this.op(0x63); this.parts.push(Buffer.from(`${module}\n${name}\n`)); }
  tuple(xs: number[]): void {
    if (xs.length === 0) return this.op(0x29); // EMPTY_TUPLE
    this.op(0x28); // MARK
    xs.forEach((x) => this.int(x));
    this.op(0x74); // TUPLE
  }
  done(): Buffer { return Buffer.concat(this.parts); }
}

const contiguous = (shape: number[]): number[] => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/**
 * The pickle bytes of an OrderedDict of `tensors` (each on its own storage, offset 0; strided where `stride` says).
 * @example
 * ```ts
 * statePickle([{ name: "fc.bias", key: "0", storage: "FloatStorage", shape: [10] }]); // Buffer starting 0x80 0x02
 * ```
 */
export function statePickle(tensors: PickledTensor[]): Buffer {
  const o = new Out();
  o.op(0x80, 2); // PROTO 2
  o.global("collections", "OrderedDict");
  o.op(0x29, 0x52); // EMPTY_TUPLE, REDUCE → OrderedDict()
  for (const t of tensors) {
    o.str(t.name);
    o.global("torch._utils", "_rebuild_tensor_v2");
    o.op(0x28); // MARK: the argument tuple
    o.op(0x28); // MARK: the persistent id
    o.str("storage");
    o.global("torch", t.storage);
    o.str(t.key);
    o.str("cpu");
    o.int(t.shape.reduce((a, b) => a * b, 1));
    o.op(0x74, 0x51); // TUPLE, BINPERSID
    o.int(0); // storage offset
    o.tuple(t.shape);
    o.tuple(t.stride ?? contiguous(t.shape));
    o.op(0x89); // NEWFALSE: requires_grad
    o.global("collections", "OrderedDict");
    o.op(0x29, 0x52); // backward hooks: OrderedDict()
    o.op(0x74, 0x52, 0x73); // TUPLE, REDUCE, SETITEM
  }
  o.op(0x2e); // STOP
  return o.done();
}
