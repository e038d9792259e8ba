/**
 * An ONNX graph under construction, serialised to a ModelProto (onnx/onnx.proto3 field numbers).
 * Values are named strings; weights are float32 initializers; attributes are ints, int lists and
 * floats, all that graft's translations need.
 */
import { ProtoMessage } from "./_protobuf";

/** The operator set written, and the IR version that goes with it. */
export const OPSET = 17;
const IR_VERSION = 8;
const FLOAT = 1, INT64 = 7;
const ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_INTS = 7;

export type Attr = number | readonly number[] | { float: number };

export class OnnxGraph {
  private readonly nodes: ProtoMessage[] = [];
  private readonly initializers: ProtoMessage[] = [];
  private readonly inputs: ProtoMessage[] = [];
  private readonly outputs: ProtoMessage[] = [];
  private next = 0;

  /** A fresh value name. */
  fresh(hint: string): string {
    return `${hint}:${this.next++}`;
  }

  /** Adds a node and returns its (single) output's name. */
  op(type: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, hint = type): string {
    const output = this.fresh(hint);
    const node = new ProtoMessage();
    for (const i of inputs) node.string(1, i);
    node.string(2, output).string(3, output).string(4, type);
    for (const [name, value] of Object.entries(attrs)) {
      const a = new ProtoMessage().string(1, name);
      if (typeof value === "number") a.int(3, value).int(20, ATTR_INT);
      else if (Array.isArray(value)) a.packedInts(8, value).int(20, ATTR_INTS);
      else a.float(2, (value as { float: number }).float).int(20, ATTR_FLOAT);
      node.message(5, a);
    }
    this.nodes.push(node);
    return output;
  }

  /** A float32 weight (row-major in `dims`). */
  weight(hint: string, values: Float32Array, dims: readonly number[]): string {
    const name = this.fresh(hint);
    const t = new ProtoMessage().packedInts(1, dims).int(2, FLOAT).string(8, name);
    t.bytes(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    this.initializers.push(t);
    return name;
  }

  /** An int64 constant (shapes, pads, axes). */
  ints(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    const raw = new BigInt64Array(values.map((v) => BigInt(v)));
    const t = new ProtoMessage().packedInts(1, [values.length]).int(2, INT64).string(8, name);
    t.bytes(9, new Uint8Array(raw.buffer));
    this.initializers.push(t);
    return name;
  }

  private valueInfo(name: string, dims: readonly (number | null)[]): ProtoMessage {
    const shape = new ProtoMessage();
    dims.forEach((d, i) => shape.message(1, d == null ? new ProtoMessage().string(2, `d${i}`) : new ProtoMessage().int(1, d)));
    const tensor = new ProtoMessage().int(1, FLOAT).message(2, shape);
    return new ProtoMessage().string(1, name).message(2, new ProtoMessage().message(1, tensor));
  }

  input(name: string, dims: readonly (number | null)[]): string {
    this.inputs.push(this.valueInfo(name, dims));
    return name;
  }

  /** Marks `value` as the graph output named `name` (through an Identity). */
  output(value: string, name: string, dims: readonly (number | null)[]): void {
    const node = new ProtoMessage().string(1, value).string(2, name).string(3, name).string(4, "Identity");
    this.nodes.push(node);
    this.outputs.push(this.valueInfo(name, dims));
  }

  toBytes(name: string): Uint8Array {
    const graph = new ProtoMessage();
    for (const n of this.nodes) graph.message(1, n);
    graph.string(2, name);
    for (const t of this.initializers) graph.message(5, t);
    for (const i of this.inputs) graph.message(11, i);
    for (const o of this.outputs) graph.message(12, o);
    const model = new ProtoMessage().int(1, IR_VERSION).string(2, "graft").message(7, graph);
    model.message(8, new ProtoMessage().string(1, "").int(2, OPSET));
    return model.toBytes();
  }
}
