/**
 * Positional reads: with `split`, large pieces are read by this thread and the thread pool at
 * once; every byte still lands where it should (sizes around the split threshold and past one
 * piece), and a file that ends early fails with graft's typed error whichever half it cuts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { open as fsOpen } from "node:fs/promises";
import { readInto, SPLIT_MIN } from "../../src/checkpoint/_file_read";
import { GraftFormatError } from "../../src/checkpoint/errors";

function withFile(bytes: Uint8Array, body: (file: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "graft-read-"));
  const file = path.join(dir, "data.bin");
  fs.writeFileSync(file, bytes);
  return body(file).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 12)) & 0xff);

test("readInto with split: the bytes land exactly, below, at and above the threshold and past a 16 MiB piece", async () => {
  const data = pattern(40 << 20);
  await withFile(data, async (file) => {
    const fh = await fsOpen(file, "r");
    try {
      for (const length of [SPLIT_MIN - 1, SPLIT_MIN, SPLIT_MIN + 4097, 5 << 20, (16 << 20) + SPLIT_MIN + 3, 33 << 20]) {
        for (const position of [0, 61]) {
          const buf = new Uint8Array(length + 10).fill(0xee);
          await readInto(fh, file, () => buf, 7, position, length, "a range", true);
          assert.ok(Buffer.from(buf.subarray(7, 7 + length)).equals(data.subarray(position, position + length)), `${length} bytes at ${position}`);
          assert.ok(buf.subarray(0, 7).every((b) => b === 0xee) && buf.subarray(7 + length).every((b) => b === 0xee), "nothing outside the range is written");
        }
      }
    } finally {
      await fh.close();
    }
  });
});

test("readInto with split: a file that ends in either half fails with GraftFormatError naming what was cut short", async () => {
  const length = 4 << 20;
  for (const size of [length / 4, length - 100]) {
    await withFile(pattern(size), async (file) => {
      const fh = await fsOpen(file, "r");
      try {
        const buf = new Uint8Array(length);
        await assert.rejects(readInto(fh, file, buf, 0, 0, length, "tensor layer4.0.conv2.weight", true), (e: unknown) => {
          assert.ok(e instanceof GraftFormatError);
          assert.match(e.message, new RegExp(`file truncated: tensor layer4\\.0\\.conv2\\.weight needs 4194304 bytes at offset 0, got ${size}`));
          assert.ok(e.message.includes(file));
          return true;
        });
      } finally {
        await fh.close();
      }
    });
  }
});
