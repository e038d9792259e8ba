/**
 * Positional file reads that either return every byte asked for or fail naming what was cut short.
 *
 * Reads are synchronous `fs.readSync` calls in pieces of at most {@link READ_CHUNK}, yielding to
 * the event loop between pieces. A thread-pool round trip per read (`fs.read`,
 * `FileHandle.read`) made reading a checkpoint of a few hundred tensors several times slower than
 * synchronous reads (`bench/load.ts`); pieces keep each block of the event loop short.
 *
 * Reads into memory already in use (the wasm heap; `split`) take pieces of at least
 * {@link SPLIT_MIN} bytes on two threads at once: the second half on the thread pool (`fs.read`,
 * straight into the same buffer) while this thread reads the first. Copying from the page cache
 * runs at one core's speed, so two cores copy faster (`bench/load.ts`). From 1 MiB on, the
 * thread pool's round trip costs less than it saves.
 */
import { read as readAsync, readSync } from "node:fs";
import { open as fsOpen, type FileHandle } from "node:fs/promises";
import { GraftFormatError } from "./errors";

/** Bytes read per synchronous call before yielding to the event loop. */
const READ_CHUNK = 16 << 20;
/** The smallest piece read by two threads at once. */
export const SPLIT_MIN = 1 << 20;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Reads exactly `length` bytes at file `position` into `buf` from index `at`, or fails naming
 * what was cut short. `buf` may be a function returning the buffer, called again after every
 * yield: a view of WebAssembly memory is replaced when the memory grows meanwhile.
 * @param split read pieces of at least {@link SPLIT_MIN} bytes on two threads at once. For
 *   memory already in use, like the wasm heap; into new JS buffers it was slower (fresh pages
 *   fault in on both threads), so plain reads of new buffers leave it off.
 * @example
 * ```ts
 * const fh = await fsOpen("m.pt", "r");
 * const buf = new Uint8Array(8);
 * await readInto(fh, "m.pt", buf, 0, 0, 8, "header");
 * await fh.close();
 * ```
 */
export async function readInto(
  fh: FileHandle,
  file: string,
  buf: Uint8Array | (() => Uint8Array),
  at: number,
  position: number,
  length: number,
  what: string,
  split = false,
): Promise<void> {
  const view = typeof buf === "function" ? buf : () => buf;
  const truncated = (done: number): GraftFormatError =>
    new GraftFormatError(file, `file truncated: ${what} needs ${length} bytes at offset ${position}, got ${done}`, {
      offset: position + done,
    });
  let done = 0;
  while (done < length) {
    if (done > 0) await yieldToEventLoop();
    const piece = Math.min(length - done, READ_CHUNK);
    if (split && piece >= SPLIT_MIN) {
      const before = done;
      done += await readPieceSplit(fh.fd, view, at + done, piece, position + done, (got) => truncated(before + got));
      continue;
    }
    const n = readSync(fh.fd, view(), at + done, piece, position + done);
    if (n === 0) throw truncated(done);
    done += n;
  }
}

/**
 * Reads `length` bytes at `position` into `view()` from index `at`: the second half on the thread
 * pool while this thread reads the first. Returns `length`, or throws `truncated(bytes read)` (a
 * short read of either half is finished on this thread first, so only a real end of file fails).
 */
async function readPieceSplit(
  fd: number,
  view: () => Uint8Array,
  at: number,
  length: number,
  position: number,
  truncated: (got: number) => Error,
): Promise<number> {
  const head = Math.floor(length / 2 / 4096) * 4096;
  const tail = new Promise<number>((resolve, reject) =>
    readAsync(fd, view(), at + head, length - head, position + head, (err, n) => (err ? reject(err) : resolve(n))),
  );
  let headDone = 0;
  let failure: unknown;
  try {
    while (headDone < head) {
      const n = readSync(fd, view(), at + headDone, head - headDone, position + headDone);
      if (n === 0) throw truncated(headDone);
      headDone += n;
    }
  } catch (err) {
    failure = err;
  }
  // The thread pool's read writes into the buffer: it must have ended before this returns or throws.
  let tailDone = await tail.catch((err) => {
    failure ??= err;
    return 0;
  });
  if (failure) throw failure;
  while (tailDone < length - head) {
    const n = readSync(fd, view(), at + head + tailDone, length - head - tailDone, position + head + tailDone);
    if (n === 0) throw truncated(head + tailDone);
    tailDone += n;
  }
  return length;
}

/**
 * Reads exactly `length` bytes at `position` into a new buffer, or fails naming what was cut short.
 * @example
 * ```ts
 * const fh = await fsOpen("m.pt", "r");
 * const head = await readExactly(fh, "m.pt", 0, 4, "signature"); // PK\x03\x04 for a torch zip
 * await fh.close();
 * ```
 */
export async function readExactly(fh: FileHandle, file: string, position: number, length: number, what: string): Promise<Uint8Array> {
  // Not zero-filled (every byte is overwritten) and not pooled (byteOffset 0, its own ArrayBuffer).
  const buf: Uint8Array = Buffer.allocUnsafeSlow(length);
  await readInto(fh, file, buf, 0, position, length, what);
  return buf;
}

/**
 * Reads and parses a JSON file of at most `maxBytes`, or fails naming the file and `what` it
 * should be (too large, unreadable, not JSON).
 * @example
 * ```ts
 * const manifest = await readJsonFile("model.json", 100 << 20, "model.json");
 * ```
 */
export async function readJsonFile(file: string, maxBytes: number, what: string): Promise<unknown> {
  const fh = await fsOpen(file, "r");
  let text: string;
  try {
    const size = (await fh.stat()).size;
    if (size > maxBytes) throw new GraftFormatError(file, `${what} of ${size} bytes is over graft's ${maxBytes}-byte limit`);
    text = new TextDecoder().decode(await readExactly(fh, file, 0, size, what));
  } finally {
    await fh.close();
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GraftFormatError(file, `${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
