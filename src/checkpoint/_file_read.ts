/** Positional file reads that either return every byte asked for or fail naming what was cut short. */
import { read as fsRead } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { GraftFormatError } from "./errors";

/** Large reads go in pieces of this size: measured no slower than one huge read, and kinder to a busy event loop. */
const READ_CHUNK = 4 << 20;

function readOnce(fd: number, buf: Uint8Array, at: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fsRead(fd, buf, at, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/**
 * Reads exactly `length` bytes at file `position` into `buf` from index `at`, or fails naming
 * what was cut short. Uses the callback `fs.read` on the descriptor (less overhead than
 * `FileHandle.read` per call).
 */
export async function readInto(fh: FileHandle, file: string, buf: Uint8Array, at: number, position: number, length: number, what: string): Promise<void> {
  let done = 0;
  while (done < length) {
    const n = await readOnce(fh.fd, buf, at + done, Math.min(length - done, READ_CHUNK), position + done);
    if (n === 0) {
      throw new GraftFormatError(file, `file truncated: ${what} needs ${length} bytes at offset ${position}, got ${done}`, {
        offset: position + done,
      });
    }
    done += n;
  }
}

/**
 * Reads exactly `length` bytes at `position` into a new buffer, or fails naming what was cut short.
 * @example
 * ```ts
 * const head = await readExactly(fh, "m.pt", 0, 4, "signature");
 * ```
 */
export async function readExactly(fh: FileHandle, file: string, position: number, length: number, what: string): Promise<Uint8Array> {
  // Not zero-filled (every byte is overwritten) and not pooled (byteOffset 0, its own ArrayBuffer).
  const buf: Uint8Array = Buffer.allocUnsafeSlow(length);
  await readInto(fh, file, buf, 0, position, length, what);
  return buf;
}
