/**
 * The protobuf wire format, write side only: what an ONNX model file needs (varints, 32-bit
 * floats, length-delimited strings, bytes and nested messages). A message is kept as a list of
 * chunks and concatenated once, so megabytes of weights are copied a single time.
 */

const encoder = new TextEncoder();

/** Wire types of the protobuf encoding. */
const VARINT = 0, LENGTH = 2, FIXED32 = 5;

export class ProtoMessage {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  get byteLength(): number {
    return this.length;
  }

  private push(chunk: Uint8Array): this {
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
    return this;
  }

  private rawVarint(value: number | bigint): this {
    // int64 fields: negatives take ten bytes (two's complement), as protobuf defines.
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): this {
    return this.rawVarint((field << 3) | wire);
  }

  /** An int32/int64/enum field. */
  int(field: number, value: number): this {
    return this.tag(field, VARINT).rawVarint(value);
  }

  /** A float field. */
  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.tag(field, FIXED32).push(b);
  }

  /** A bytes field (the bytes are not copied until {@link toBytes}). */
  bytes(field: number, value: Uint8Array): this {
    return this.tag(field, LENGTH).rawVarint(value.byteLength).push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** A packed repeated int64 field. */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoMessage();
    for (const v of values) inner.rawVarint(v);
    return this.message(field, inner);
  }

  /** A nested message field. */
  message(field: number, value: ProtoMessage): this {
    this.tag(field, LENGTH).rawVarint(value.length);
    for (const c of value.chunks) this.push(c);
    return this;
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}
