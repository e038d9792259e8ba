/**
 * A safe pickle reader (Python `pickletools` opcode set, protocols 0–5) for what torch and numpy
 * write. It never runs code: `GLOBAL`/`STACK_GLOBAL` only name things; `REDUCE` calls a function
 * only from the allowlist in `_pickle_globals.ts` (anything else throws
 * {@link GraftUnsafePickleError} naming the global); `NEWOBJ`/`OBJ`/`INST` build inert
 * {@link PyObject} records; `BUILD` stores state on such records as data. Dicts become `Map`s, so
 * no key (`__proto__`, `constructor`, `prototype`) ever touches a JavaScript prototype.
 *
 * Why not pickleparser: it builds objects with JavaScript semantics (placeholders for unknown
 * names, `BUILD` copying keys onto objects), which must then be fenced in; a reader of our own is
 * ~300 lines, refuses by construction, and is two orders of magnitude faster on torch's pickles
 * (`bench/load.ts` times whole checkpoint reads; the README gives the figures).
 */
import { GraftFormatError, GraftUnsafePickleError } from "./errors";
import { callGlobal, PyGlobal, PyObject, RefusedGlobal } from "./_pickle_globals";

export { PyGlobal, PyObject };

/** Turns a persistent id (torch storages) into a value. */
export type PersistentLoad = (pid: unknown) => unknown;

const MARK = Symbol("mark");
const MAX_LONG_BYTES = 256;

/**
 * Parses one pickle starting at `start`. Returns the value and the offset just past `STOP`
 * (legacy torch files hold several pickles back to back).
 * @param bytes the pickle bytes
 * @param file the file name, for errors
 * @param opts persistentLoad for BINPERSID/PERSID; entry names the archive member in errors
 * @returns the unpickled value and where it ended
 * @example A protocol-2 pickle of the int 7
 * ```ts
 * const { value } = unpickle(new Uint8Array([0x80, 2, 0x4b, 7, 0x2e]), "x.pkl");
 * assert.equal(value, 7);
 * ```
 */
export function unpickle(
  bytes: Uint8Array,
  file: string,
  opts: { persistentLoad?: PersistentLoad; entry?: string; start?: number } = {},
): { value: unknown; end: number } {
  const entry = opts.entry;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder("latin1");
  const utf8 = new TextDecoder("utf-8");
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let pos = opts.start ?? 0;
  let op = 0;
  let opPos = 0;

  const fail = (msg: string): never => {
    throw new GraftFormatError(file, `pickle ${msg} (opcode 0x${op.toString(16)} at offset ${opPos})`, { entry, offset: opPos });
  };
  const need = (n: number): void => {
    if (n < 0 || pos + n > bytes.length) fail(`truncated: needs ${n} more bytes, ${bytes.length - pos} left`);
  };
  const u8 = (): number => (need(1), bytes[pos++]);
  const u16 = (): number => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = (): number => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = (): number => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`length ${v} is beyond the data`);
    return Number(v);
  };
  const take = (n: number): Uint8Array => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) fail("truncated: text argument has no newline");
    const s = latin1.decode(bytes.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail("stack underflow");
    const v = stack.pop();
    if (v === MARK) fail("unexpected MARK");
    return v;
  };
  const top = (): unknown => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) fail("stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail("no MARK on the stack");
    const items = stack.slice(at + 1);
    stack.length = at;
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) fail(`memo key ${i} was never stored`);
    return memo.get(i);
  };
  const decodeLong = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (items.length % 2) fail("odd number of items for a dict");
    if (target instanceof Map) for (let i = 0; i < items.length; i += 2) target.set(hashable(items[i]), items[i + 1]);
    else if (target instanceof PyObject) for (let i = 0; i < items.length; i += 2) target.items.set(hashable(items[i]), items[i + 1]);
    else fail(`SETITEM(S) on a ${describe(target)}`);
  };
  const append = (target: unknown, items: unknown[]): void => {
    if (Array.isArray(target)) for (const x of items) target.push(x);
    else if (target instanceof PyObject) target.listItems.push(...items);
    else fail(`APPEND(S) on a ${describe(target)}`);
  };
  const persistent = (pid: unknown): unknown => {
    if (!opts.persistentLoad) fail("persistent id without a persistent loader");
    return opts.persistentLoad!(pid);
  };
  const global = (module: string, name: string): PyGlobal => {
    if (typeof module !== "string" || typeof name !== "string") fail("global names must be strings");
    return new PyGlobal(module === "__builtin__" ? "builtins" : module, name);
  };
  const construct = (cls: unknown, args: unknown): PyObject => {
    if (!(cls instanceof PyGlobal)) fail(`cannot construct a ${describe(cls)}`);
    return new PyObject((cls as PyGlobal).qualified, Array.isArray(args) ? args : []);
  };
  const reduce = (fn: unknown, args: unknown): unknown => {
    if (!(fn instanceof PyGlobal)) fail(`REDUCE of a ${describe(fn)}, not a global`);
    if (!Array.isArray(args)) fail(`REDUCE arguments must be a tuple, got ${describe(args)}`);
    try {
      return callGlobal(fn as PyGlobal, args as unknown[]);
    } catch (err) {
      if (err instanceof GraftFormatError) throw err;
      if (err instanceof RefusedGlobal) throw new GraftUnsafePickleError(file, err.global, { entry, offset: opPos });
      throw new GraftFormatError(file, `pickle: ${(fn as PyGlobal).qualified}: ${(err as Error).message}`, { entry, offset: opPos });
    }
  };

  try {
    return run();
  } catch (err) {
    if (err instanceof GraftFormatError) throw err;
    throw new GraftFormatError(file, `pickle is malformed: ${(err as Error).message} (opcode 0x${op.toString(16)} at offset ${opPos})`, {
      entry,
      offset: opPos,
      cause: err,
    });
  }

  function run(): { value: unknown; end: number } {
  for (;;) {
    opPos = pos;
    op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: pos += 8; need(0); break; // FRAME
      case 0x2e: return { value: pop(), end: pos }; // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: { const n = u8(); stack.push(decodeLong(take(n))); break; } // LONG1
      case 0x8b: { const n = i32(); if (n > MAX_LONG_BYTES) fail(`LONG4 of ${n} bytes`); stack.push(decodeLong(take(n))); break; }
      case 0x47: need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; // BINFLOAT
      case 0x49: { const s = line(); stack.push(s === "01" ? true : s === "00" ? false : parseIntText(s, fail)); break; } // INT
      case 0x4c: stack.push(parseIntText(line().replace(/L$/, ""), fail)); break; // LONG
      case 0x46: { const f = Number(line()); stack.push(f); break; } // FLOAT
      case 0x58: stack.push(utf8.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(utf8.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8.decode(take(u64()))); break; // BINUNICODE8
      case 0x55: stack.push(latin1.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x54: { const n = i32(); stack.push(latin1.decode(take(n))); break; } // BINSTRING
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
      case 0x96: stack.push(take(u64()).slice()); break; // BYTEARRAY8
      case 0x56: stack.push(line()); break; // UNICODE (raw-unicode-escape; ASCII in practice)
      case 0x53: stack.push(line().replace(/^(['"])(.*)\1$/, "$2")); break; // STRING
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x64: { const d = new Map(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x91: stack.push(new Set(popMark().map(hashable))); break; // FROZENSET
      case 0x90: { const items = popMark(); const s = top(); if (!(s instanceof Set)) fail("ADDITEMS on a non-set"); for (const x of items) (s as Set<unknown>).add(hashable(x)); break; }
      case 0x61: { const x = pop(); append(top(), [x]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x67: stack.push(memoGet(Number(line()))); break; // GET
      case 0x63: { const m = line(); stack.push(global(m, line())); break; } // GLOBAL
      case 0x93: { const n = pop(); const m = pop(); stack.push(global(m as string, n as string)); break; } // STACK_GLOBAL
      case 0x52: { const args = pop(); const fn = pop(); stack.push(reduce(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(construct(cls, args)); break; } // NEWOBJ
      case 0x92: { pop(); const args = pop(); const cls = pop(); stack.push(construct(cls, args)); break; } // NEWOBJ_EX
      case 0x6f: { const items = popMark(); if (!items.length) fail("OBJ without a class"); stack.push(construct(items[0], items.slice(1))); break; }
      case 0x69: { const m = line(); const n = line(); stack.push(construct(global(m, n), popMark())); break; } // INST
      case 0x62: { const state = pop(); build(top(), state, fail); break; } // BUILD
      case 0x51: stack.push(persistent(pop())); break; // BINPERSID
      case 0x50: stack.push(persistent(line())); break; // PERSID
      default:
        fail("unsupported opcode");
    }
  }
  }
}

function parseIntText(s: string, fail: (m: string) => never): number | bigint {
  if (!/^-?\d+$/.test(s.trim())) fail(`bad integer literal ${JSON.stringify(s.slice(0, 20))}`);
  const v = BigInt(s.trim());
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Map/Set keys: tuples (arrays) become strings so equal tuples are one key. */
function hashable(k: unknown): unknown {
  return Array.isArray(k) ? JSON.stringify(k, (_, v) => (typeof v === "bigint" ? v.toString() : v)) : k;
}

function build(target: unknown, state: unknown, fail: (m: string) => never): void {
  if (target instanceof PyObject) {
    target.state = state;
    return;
  }
  if (target instanceof Map || (typeof target === "object" && target !== null && "kind" in target)) {
    // e.g. an OrderedDict's `_metadata` attribute, or a tensor's Python attributes: data we don't need.
    return;
  }
  fail(`BUILD on a ${describe(target)}`);
}

/** A short description of a pickle value's type, for errors. */
export function describe(v: unknown): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return "tuple/list";
  if (v instanceof Map) return "dict";
  if (v instanceof PyGlobal) return `global ${v.qualified}`;
  if (v instanceof PyObject) return `${v.className} object`;
  return typeof v;
}
