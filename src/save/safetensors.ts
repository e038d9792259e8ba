/**
 * Writes a state dict as safetensors (huggingface/safetensors README): u64 LE header length N,
 * N bytes of JSON padded with spaces to a multiple of 8, then the tensors back to back, each
 * `{dtype, shape, data_offsets: [begin, end]}` relative to the data, `__metadata__` strings.
 */
import { open } from "node:fs/promises";
import { entryBytes } from "./torch_zip";
import type { StateDictEntry } from "./state_dict";

const DTYPE = { float32: "F32", int32: "I32", int64: "I64" } as const;

/**
 * Writes `entries` to `path` as safetensors.
 * @param path the file to write.
 * @param entries the state dict, from {@link stateDict}.
 * @param metadata string → string pairs stored as `__metadata__`.
 * @example
 * ```ts
 * await writeSafetensors("model.safetensors", stateDict(model), { producer: "graft" });
 * ```
 */
export async function writeSafetensors(path: string, entries: StateDictEntry[], metadata: Record<string, string> = {}): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const bytes = entries.map(entryBytes);
  let offset = 0;
  entries.forEach((e, i) => {
    header[e.name] = { dtype: DTYPE[e.dtype], shape: e.shape, data_offsets: [offset, offset + bytes[i].length] };
    offset += bytes[i].length;
  });
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.alloc(8 + Buffer.byteLength(json));
  head.writeBigUInt64LE(BigInt(head.length - 8), 0);
  head.write(json, 8, "utf8");
  const fh = await open(path, "w");
  try {
    // Positional writes, all queued at once: libuv's threads copy them into the file in parallel.
    let pos = 0;
    const writes: Promise<void>[] = [];
    for (const b of [head, ...bytes]) {
      const at = pos;
      pos += b.length;
      writes.push((async () => {
        let off = 0;
        while (off < b.length) off += (await fh.write(b, off, b.length - off, at + off)).bytesWritten;
      })());
    }
    await Promise.all(writes);
  } finally {
    await fh.close();
  }
}
