/**
 * The globals a pickle may CALL (ARCHITECTURE.md §4), as data: torch's tensor/parameter rebuild
 * functions, `torch.Size`, `collections.OrderedDict`, a few builtins for plain data, `_codecs.encode`
 * (bytes in protocol 2) and numpy scalars. Every other `REDUCE` is refused; classes built through
 * `NEWOBJ` become inert {@link PyObject} records and never run. Plain-data helpers that checkpoints
 * carry in their metadata (`collections.defaultdict`, `datetime`, `pathlib` paths) become data.
 */
import type { SourceDType } from "./types";

/** A named Python global (`module.name`): only a name, never resolved to code. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of a class the pickle constructed: its class name, constructor args and state, as data. */
export class PyObject {
  state: unknown = undefined;
  /** Items a pickle SETITEM'd / APPEND'ed onto the instance (dict/list subclasses). */
  readonly items = new Map<unknown, unknown>();
  readonly listItems: unknown[] = [];
  constructor(
    readonly className: string,
    readonly args: unknown[],
  ) {}
  /** The instance's `__dict__` (state, or the first half of a (dict, slots) state), as a Map. */
  get dict(): Map<unknown, unknown> | undefined {
    const s = this.state;
    if (s instanceof Map) return s;
    if (Array.isArray(s) && s[0] instanceof Map) return s[0];
    return undefined;
  }
}

/** A torch storage named by a persistent id: `key` locates its bytes, `numel` counts elements. */
export interface StorageRef {
  kind: "storage";
  key: string;
  dtype: SourceDType;
  numel: number;
  /** Legacy format only: (view key, offset, numel) when the storage is a view of another. */
  view?: { key: string; offset: number; numel: number };
}

/** A tensor described by a rebuild call: a view over a storage (offsets and strides in elements). */
export interface TensorRef {
  kind: "tensor";
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
  dtype: SourceDType;
}

/** Raised when a pickle asks to call a global that is not allowlisted. */
export class RefusedGlobal extends Error {
  constructor(readonly global: string) {
    super(`refused ${global}`);
  }
}

/** torch dtype globals (`torch.float16` …) and storage classes (`torch.HalfStorage` …) → source dtypes. */
export const TORCH_DTYPES: Record<string, SourceDType> = {
  float64: "float64", double: "float64", DoubleStorage: "float64",
  float32: "float32", float: "float32", FloatStorage: "float32",
  float16: "float16", half: "float16", HalfStorage: "float16",
  bfloat16: "bfloat16", BFloat16Storage: "bfloat16",
  int64: "int64", long: "int64", LongStorage: "int64",
  int32: "int32", int: "int32", IntStorage: "int32",
  int16: "int16", short: "int16", ShortStorage: "int16",
  int8: "int8", CharStorage: "int8",
  uint8: "uint8", ByteStorage: "uint8", UntypedStorage: "uint8",
  bool: "bool", BoolStorage: "bool",
  float8_e5m2: "float8_e5m2", float8_e4m3fn: "float8_e4m3",
  uint16: "uint16", uint32: "uint32", uint64: "uint64",
};

function intList(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x) && x >= 0)) {
    throw new TypeError(`${what} must be a tuple of non-negative ints, got ${JSON.stringify(v, (_, x) => (typeof x === "bigint" ? String(x) : x))}`);
  }
  return v as number[];
}

function rebuildTensor(args: unknown[], dtypeArg?: unknown): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!storage || (storage as StorageRef).kind !== "storage") throw new TypeError("first argument is not a storage");
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw new TypeError(`bad storage offset ${String(offset)}`);
  const s = storage as StorageRef;
  let dtype = s.dtype;
  if (dtypeArg instanceof PyGlobal) {
    const d = TORCH_DTYPES[dtypeArg.name];
    if (!d) throw new TypeError(`unsupported dtype ${dtypeArg.qualified}`);
    dtype = d;
  }
  return { kind: "tensor", storage: s, offset: offset as number, shape: intList(size, "size"), stride: intList(stride, "stride"), dtype };
}

function pairsToMap(args: unknown[]): Map<unknown, unknown> {
  const m = new Map<unknown, unknown>();
  const src = args[0];
  if (src === undefined) return m;
  if (src instanceof Map) return new Map(src);
  if (!Array.isArray(src)) throw new TypeError("expected a list of pairs");
  for (const p of src) {
    if (!Array.isArray(p) || p.length !== 2) throw new TypeError("expected (key, value) pairs");
    m.set(p[0], p[1]);
  }
  return m;
}

const NUMPY_KINDS: Record<string, (v: DataView, le: boolean) => number | bigint | boolean> = {
  f8: (v, le) => v.getFloat64(0, le), f4: (v, le) => v.getFloat32(0, le),
  i8: (v, le) => v.getBigInt64(0, le), u8: (v, le) => v.getBigUint64(0, le),
  i4: (v, le) => v.getInt32(0, le), u4: (v, le) => v.getUint32(0, le),
  i2: (v, le) => v.getInt16(0, le), u2: (v, le) => v.getUint16(0, le),
  i1: (v) => v.getInt8(0), u1: (v) => v.getUint8(0), b1: (v) => v.getUint8(0) !== 0,
};

function numpyScalar(args: unknown[]): unknown {
  const [dt, data] = args;
  if (!(dt instanceof PyObject) || !(data instanceof Uint8Array)) return new PyObject("numpy.scalar", args);
  const kind = String(dt.args[0]);
  const state = dt.state;
  const order = Array.isArray(state) ? state[1] : "<";
  const read = NUMPY_KINDS[kind];
  const size = Number(kind.slice(1));
  if (!read || data.length !== size) return new PyObject("numpy.scalar", args);
  const v = read(new DataView(data.buffer, data.byteOffset, data.byteLength), order !== ">");
  return typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** `datetime.datetime` / `datetime.date` from their pickled byte state, as ISO 8601 text. */
function isoDate(args: unknown[]): unknown {
  const b = args[0];
  if (!(b instanceof Uint8Array) || (b.length !== 4 && b.length !== 10)) return new PyObject("datetime", args);
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  const date = `${pad(b[0] * 256 + b[1], 4)}-${pad(b[2])}-${pad(b[3])}`;
  if (b.length === 4) return date;
  const us = (b[7] << 16) | (b[8] << 8) | b[9];
  return `${date}T${pad(b[4])}:${pad(b[5])}:${pad(b[6])}${us ? `.${pad(us, 6)}` : ""}`;
}

type Callable = (args: unknown[]) => unknown;

const record = (name: string): Callable => (args) => new PyObject(name, args);

const CALLABLE: Record<string, Callable> = {
  "collections.OrderedDict": pairsToMap,
  "builtins.dict": pairsToMap,
  "builtins.list": (a) => (a[0] === undefined ? [] : Array.from(a[0] as Iterable<unknown>)),
  "builtins.tuple": (a) => (a[0] === undefined ? [] : Array.from(a[0] as Iterable<unknown>)),
  "builtins.set": (a) => new Set(a[0] === undefined ? [] : (a[0] as Iterable<unknown>)),
  "builtins.frozenset": (a) => new Set(a[0] === undefined ? [] : (a[0] as Iterable<unknown>)),
  "collections.defaultdict": () => new Map(),
  "datetime.datetime": isoDate,
  "datetime.date": isoDate,
  "datetime.timedelta": record("datetime.timedelta"),
  "pathlib.PosixPath": (a) => a.map(String).join("/").replace(/^\/\//, "/"),
  "pathlib.WindowsPath": (a) => a.map(String).join("\\"),
  "pathlib.PurePosixPath": (a) => a.map(String).join("/").replace(/^\/\//, "/"),
  "builtins.slice": record("builtins.slice"),
  "builtins.complex": record("builtins.complex"),
  "builtins.bytearray": (a) => (a[0] instanceof Uint8Array ? a[0].slice() : new Uint8Array(0)),
  "builtins.bytes": (a) => (a[0] instanceof Uint8Array ? a[0].slice() : new Uint8Array(0)),
  "_codecs.encode": (a) => {
    if (typeof a[0] !== "string") throw new TypeError("_codecs.encode expects a str");
    return Uint8Array.from(a[0], (c) => c.charCodeAt(0) & 0xff);
  },
  "copyreg._reconstructor": (a) => {
    if (!(a[0] instanceof PyGlobal)) throw new TypeError("_reconstructor expects a class");
    return new PyObject(a[0].qualified, []);
  },
  "torch.Size": (a) => intList(a[0] ?? [], "torch.Size"),
  "torch.device": (a) => String(a.join(":")),
  "torch._utils._rebuild_tensor": (a) => rebuildTensor(a),
  "torch._utils._rebuild_tensor_v2": (a) => rebuildTensor(a),
  "torch._utils._rebuild_tensor_v3": (a) => rebuildTensor(a, a[6]),
  "torch._utils._rebuild_parameter": (a) => a[0],
  "torch._utils._rebuild_parameter_with_state": (a) => a[0],
  "torch._tensor._rebuild_from_type_v2": (a) => {
    if (!(a[0] instanceof PyGlobal) || !Array.isArray(a[2])) throw new TypeError("_rebuild_from_type_v2 expects (func, type, args, state)");
    return callGlobal(a[0], a[2]);
  },
  "numpy.core.multiarray.scalar": numpyScalar,
  "numpy._core.multiarray.scalar": numpyScalar,
  "numpy.dtype": record("numpy.dtype"),
  "numpy.core.multiarray._reconstruct": record("numpy.ndarray"),
  "numpy._core.multiarray._reconstruct": record("numpy.ndarray"),
};

/** Torch rebuild functions that are safe but describe tensors graft does not read. */
const UNSUPPORTED_TENSORS = new Set([
  "torch._utils._rebuild_qtensor", "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_sparse_csr_tensor",
  "torch._utils._rebuild_nested_tensor", "torch._utils._rebuild_meta_tensor_no_storage", "torch._utils._rebuild_wrapper_subclass",
  "torch._utils._rebuild_device_tensor_from_numpy", "torch._utils._rebuild_xla_tensor", "torch._utils._rebuild_mlc_tensor",
]);

/**
 * Calls an allowlisted global with pickle arguments, or throws {@link RefusedGlobal}.
 * @example
 * ```ts
 * const m = callGlobal(new PyGlobal("collections", "OrderedDict"), []);
 * assert.ok(m instanceof Map);
 * ```
 */
export function callGlobal(fn: PyGlobal, args: unknown[]): unknown {
  const f = Object.prototype.hasOwnProperty.call(CALLABLE, fn.qualified) ? CALLABLE[fn.qualified] : undefined;
  if (!f && UNSUPPORTED_TENSORS.has(fn.qualified)) {
    throw new TypeError(`this checkpoint holds a quantized, sparse, nested or meta tensor, which graft does not read; save a dense state dict instead`);
  }
  if (!f) throw new RefusedGlobal(fn.qualified);
  return f(args);
}
