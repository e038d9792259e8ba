/**
 * Private: the applier's transposes as a tiny WebAssembly SIMD kernel that works inside the
 * tfjs wasm backend's own memory. The source rows (read from the file into a staging region
 * of that memory) are transposed in 4×4 blocks of float32 (four 128-bit loads, eight
 * shuffles, four 128-bit stores) straight into the output tensor's memory, column group by
 * column group so that output lines are written front to back.
 *
 * It is several times faster than the JS loops of `src/_values.ts`, which are faster than
 * tfjs-wasm's own Transpose kernel (`bench/apply.ts`). The module is written out here as bytes (about 300)
 * rather than shipped as a file: it has one function, listed below as instructions.
 *
 * `t2d(src, dst, rows, cols, srcStride, dstStride)` (pointers and strides in bytes, `rows` and
 * `cols` multiples of 4): dst[c·dstStride + 4r] = src[r·srcStride + 4c]. {@link reverse3InHeap}
 * tiles a whole [A, B, S] → [S, B, A] transpose into such blocks and does the remainders in JS.
 */

/** LEB128 of an unsigned integer. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(Buffer.from(s, "utf8"))];

// Opcodes.
const BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR = 0x0c, BR_IF = 0x0d;
const GET = 0x20, SET = 0x21, TEE = 0x22;
const I32_CONST = 0x41, GE_U = 0x4f, ADD = 0x6a, MUL = 0x6c, SHL = 0x74;
const VOID = 0x40, I32 = 0x7f, V128 = 0x7b;
const load = [0xfd, 0x00, 0x00, 0x00]; // v128.load align=1 offset=0 (unaligned-safe)
const store = [0xfd, 0x0b, 0x00, 0x00]; // v128.store
const lanes = (ls: number[]): number[] => ls.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
const shuffle = (ls: number[]): number[] => [0xfd, 0x0d, ...lanes(ls)];
const get = (i: number) => [GET, i];
const set = (i: number) => [SET, i];
const c = (n: number) => [I32_CONST, ...sleb(n)];
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

// Params 0..5 (src, dst, rows, cols, srcStride, dstStride); i32 locals 6..; v128 locals after them.
const [SRC, DST, ROWS, COLS, SS, DS] = [0, 1, 2, 3, 4, 5];
const [r, col, p, q, pp, qq] = [6, 7, 8, 9, 10, 11];
const [r0, r1, r2, r3] = [12, 13, 14, 15];

/** One 4×4 block: four rows loaded from p (stride SS), four transposed rows stored at q (stride DS). */
function block4x4(): number[] {
  return [
    ...get(p), ...load, ...set(r0),
    ...get(p), ...get(SS), ADD, TEE, pp, ...load, ...set(r1),
    ...get(pp), ...get(SS), ADD, TEE, pp, ...load, ...set(r2),
    ...get(pp), ...get(SS), ADD, ...load, ...set(r3),
    // (r0, r1) → r0 = a0 b0 a1 b1, r1 = a2 b2 a3 b3; the same for (r2, r3)
    ...get(r0), ...get(r1), ...shuffle([2, 6, 3, 7]),
    ...get(r0), ...get(r1), ...shuffle([0, 4, 1, 5]), ...set(r0), ...set(r1),
    ...get(r2), ...get(r3), ...shuffle([2, 6, 3, 7]),
    ...get(r2), ...get(r3), ...shuffle([0, 4, 1, 5]), ...set(r2), ...set(r3),
    ...get(q), ...get(r0), ...get(r2), ...shuffle([0, 1, 4, 5]), ...store,
    ...get(q), ...get(DS), ADD, TEE, qq, ...get(r0), ...get(r2), ...shuffle([2, 3, 6, 7]), ...store,
    ...get(qq), ...get(DS), ADD, TEE, qq, ...get(r1), ...get(r3), ...shuffle([0, 1, 4, 5]), ...store,
    ...get(qq), ...get(DS), ADD, ...get(r1), ...get(r3), ...shuffle([2, 3, 6, 7]), ...store,
  ];
}

/**
 * Columns outside, rows inside: each group of four output rows is written front to back, 16
 * bytes at a time, so every output cache line is finished while it is hot. (Rows outside wrote
 * 16 bytes to each of `cols` output rows per step; with power-of-two output strides those
 * lines share one cache set and were evicted before their next 16 bytes came.)
 */
function body(): number[] {
  const code: number[] = [
    ...c(0), ...set(col),
    BLOCK, VOID, LOOP, VOID, // for col in [0, cols) step 4
    ...get(col), ...get(COLS), GE_U, BR_IF, 1,
    // p = src + col·4; q = dst + col·dstStride
    ...get(SRC), ...get(col), ...c(2), SHL, ADD, ...set(p),
    ...get(DST), ...get(col), ...get(DS), MUL, ADD, ...set(q),
    ...c(0), ...set(r),
    BLOCK, VOID, LOOP, VOID, // for r in [0, rows) step 4
    ...get(r), ...get(ROWS), GE_U, BR_IF, 1,
    ...block4x4(),
    ...get(p), ...get(SS), ...c(2), SHL, ADD, ...set(p),
    ...get(q), ...c(16), ADD, ...set(q),
    ...get(r), ...c(4), ADD, ...set(r),
    BR, 0, END, END,
    ...get(col), ...c(4), ADD, ...set(col),
    BR, 0, END, END,
    END,
  ];
  const locals = [2, ...uleb(6), I32, ...uleb(4), V128];
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/** `col(src, dst, rows, srcStride)`: dst[4r] = src[r·srcStride] for r < rows (one strided column made a row). */
function columnBody(): number[] {
  const [src, dst, rows, ss, end] = [0, 1, 2, 3, 4];
  const code: number[] = [
    ...get(dst), ...get(rows), ...c(2), SHL, ADD, ...set(end),
    BLOCK, VOID, LOOP, VOID,
    ...get(dst), ...get(end), GE_U, BR_IF, 1,
    ...get(dst), ...get(src), 0x28, 0x02, 0x00, 0x36, 0x02, 0x00, // i32.store(dst, i32.load(src))
    ...get(src), ...get(ss), ADD, ...set(src),
    ...get(dst), ...c(4), ADD, ...set(dst),
    BR, 0, END, END,
    END,
  ];
  const locals = [1, 1, I32];
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/** The module; `shared` makes its imported memory a shared one (flag 3, at most 4 GiB). */
function moduleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const type = [2, 0x60, 6, I32, I32, I32, I32, I32, I32, 0, 0x60, 4, I32, I32, I32, I32, 0];
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 1];
  const imports = [1, ...str("env"), ...str("memory"), 0x02, ...limits];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, type),
    ...section(2, imports),
    ...section(3, [2, 0, 1]),
    ...section(7, [2, ...str("t2d"), 0x00, 0, ...str("col"), 0x00, 1]),
    ...section(10, [2, ...body(), ...columnBody()]),
  ]);
}

/** The kernels bound to one WebAssembly.Memory (see the file comment); pointers and strides in bytes. */
export interface HeapTranspose {
  t2d(src: number, dst: number, rows: number, cols: number, srcStride: number, dstStride: number): void;
  col(src: number, dst: number, rows: number, srcStride: number): void;
}

const cache = new WeakMap<WebAssembly.Memory, HeapTranspose | null>();

/**
 * The SIMD transpose kernel over `memory`, or undefined where WebAssembly SIMD is unavailable.
 * @example
 * ```ts
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const k = wasmTranspose(memory); // then k?.t2d(srcPtr, dstPtr, rows, cols, srcStride, dstStride)
 * ```
 */
export function wasmTranspose(memory: WebAssembly.Memory): HeapTranspose | undefined {
  if (!cache.has(memory)) {
    let fn: HeapTranspose | null = null;
    try {
      // The threaded wasm backend's memory is shared: the import must say so to bind to it.
      const mod = new WebAssembly.Module(moduleBytes(typeof SharedArrayBuffer === "function" && memory.buffer instanceof SharedArrayBuffer));
      fn = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as HeapTranspose;
    } catch {
      fn = null; // no SIMD in this engine: the JS loops take over
    }
    cache.set(memory, fn);
  }
  return cache.get(memory) ?? undefined;
}

/**
 * The compiled kernel module for a shared WebAssembly.Memory (imported as `env.memory`), or
 * undefined where WebAssembly SIMD or threads are unavailable. It is what `transpose_helper.ts`
 * hands its worker.
 */
export function sharedTransposeModule(): WebAssembly.Module | undefined {
  try {
    return new WebAssembly.Module(moduleBytes(true));
  } catch {
    return undefined;
  }
}

/** Tile edge (elements) of the blocks handed to the kernel (measured best of 16–256 here). */
const TILE = 128;

/**
 * out[s][b][a] ← src[a][b][s] inside one wasm memory, for the source rows a0 ≤ a < a0 + rows
 * that a band holds: `src` points at row a0 of the source, `dst` at element 0 of the whole
 * [S, B, A] output. A 2-D transpose [A, M] → [M, A] is the case B = 1, S = M.
 * @param k the kernels from {@link wasmTranspose}.
 * @param heap32 a current Int32Array view of the memory (for the last rows mod 4).
 * @example
 * ```ts
 * const memory = new WebAssembly.Memory({ initial: 64 });
 * const k = wasmTranspose(memory)!;
 * const heap32 = new Int32Array(memory.buffer);
 * const [srcPtr, dstPtr] = [0, 64 * 64 * 9 * 4];
 * reverse3InHeap(k, heap32, srcPtr, dstPtr, 0, 64, 64, 64, 9); // a whole OIHW 3×3 kernel (64 → 64) → HWIO
 * ```
 * The helper worker (transpose_worker.ts) runs it too, on its own shared memory.
 */
export function reverse3InHeap(
  k: HeapTranspose,
  heap32: Int32Array,
  src: number,
  dst: number,
  a0: number,
  rows: number,
  A: number,
  B: number,
  S: number,
): void {
  const rows4 = rows - (rows % 4);
  const S4 = S - (S % 4);
  const ss = B * S * 4;
  const ds = B * A * 4;
  for (let b = 0; b < B; b++) {
    for (let r = 0; r < rows4; r += TILE) {
      const nr = Math.min(TILE, rows4 - r);
      for (let s = 0; s < S4; s += TILE) {
        k.t2d(src + (r * B * S + b * S + s) * 4, dst + ((s * B + b) * A + a0 + r) * 4, nr, Math.min(TILE, S4 - s), ss, ds);
      }
    }
    for (let s = S4; s < S; s++) k.col(src + (b * S + s) * 4, dst + ((s * B + b) * A + a0) * 4, rows4, ss);
  }
  // The last rows mod 4 rows.
  const si = src >> 2;
  const di = dst >> 2;
  for (let a = rows4; a < rows; a++) {
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) heap32[di + (s * B + b) * A + a0 + a] = heap32[si + (a * B + b) * S + s];
    }
  }
}
