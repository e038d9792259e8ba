import { after, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { ZipReader } from "../../src/checkpoint/_zip";
import { GraftFormatError } from "../../src/checkpoint/errors";
import { writeZip } from "./zip_writer";

const tmp = mkdtempSync(join(tmpdir(), "graft-zip-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("reads stored, deflated and ZIP64 members written by Python's zipfile", async () => {
  const file = join(tmp, "py.zip");
  execFileSync("/usr/bin/python3", ["-c", `
import zipfile, sys
z = zipfile.ZipFile(sys.argv[1], "w")
z.writestr("stored.txt", b"hello" * 100, compress_type=zipfile.ZIP_STORED)
z.writestr("deflated.txt", b"abc" * 10000, compress_type=zipfile.ZIP_DEFLATED)
with z.open("z64.bin", "w", force_zip64=True) as f:
    f.write(bytes(range(256)))
z.close()`, file]);
  const zip = await ZipReader.open(file);
  assert.deepEqual(zip.names, ["stored.txt", "deflated.txt", "z64.bin"]);
  assert.equal(Buffer.from(await zip.read("stored.txt")).toString(), "hello".repeat(100));
  assert.equal(Buffer.from(await zip.read("deflated.txt")).toString(), "abc".repeat(10000));
  assert.equal(Buffer.from(await zip.read("deflated.txt", 3, 6)).toString(), "abcabc");
  assert.equal(Buffer.from(await zip.readPrefix("deflated.txt", 9)).toString(), "abcabcabc");
  assert.deepEqual(Array.from(await zip.read("z64.bin", 250)), [250, 251, 252, 253, 254, 255]);
  await zip.close();
});

test("data offsets come from the local header (torch's 64-byte alignment padding)", async () => {
  const file = join(tmp, "aligned.zip");
  writeZip(file, [{ name: "a/x", data: new Uint8Array([1, 2, 3]), align: 64 }, { name: "a/y", data: new Uint8Array([4]), align: 64 }]);
  const zip = await ZipReader.open(file);
  assert.equal((await zip.dataOffset("a/x")) % 64, 0);
  assert.equal((await zip.dataOffset("a/y")) % 64, 0);
  assert.deepEqual(Array.from(await zip.read("a/y")), [4]);
  await zip.close();
});

function corrupt(name: string, edit: (b: Buffer) => Buffer): string {
  const src = join(tmp, "base.zip");
  writeZip(src, [{ name: "m/data.pkl", data: new Uint8Array(100).fill(7) }, { name: "m/data/0", data: new Uint8Array(64).fill(1), align: 64 }]);
  const out = join(tmp, name);
  writeFileSync(out, edit(readFileSync(src)));
  return out;
}

const CASES: Array<[string, (b: Buffer) => Buffer, RegExp]> = [
  ["truncated.zip", (b) => b.subarray(0, b.length - 30), /end-of-central-directory|ZIP64|central directory/],
  ["empty.zip", () => Buffer.alloc(0), /shorter than an end-of-central-directory record/],
  ["cd-offset.zip", (b) => { const z = b.lastIndexOf(Buffer.from([0x50, 0x4b, 6, 6])); b.writeBigUInt64LE(10n ** 12n, z + 48); return b; }, /corrupt central directory/],
  ["entry-size.zip", (b) => { const c = b.indexOf(Buffer.from([0x50, 0x4b, 1, 2])); b.writeUInt32LE(0x7fffffff, c + 20); b.writeUInt32LE(0x7fffffff, c + 24); return b; }, /runs into the central directory/],
  ["count.zip", (b) => { const z = b.lastIndexOf(Buffer.from([0x50, 0x4b, 6, 6])); b.writeBigUInt64LE(99999n, z + 32); return b; }, /entries cannot fit/],
  ["method.zip", (b) => { const c = b.indexOf(Buffer.from([0x50, 0x4b, 1, 2])); b.writeUInt16LE(12, c + 10); return b; }, /unsupported compression method 12/],
];
for (const [name, edit, message] of CASES) {
  test(`corrupt zip ${name} is a GraftFormatError naming the file`, async () => {
    const file = corrupt(name, edit);
    await assert.rejects(ZipReader.open(file), (e: unknown) => e instanceof GraftFormatError && e.message.startsWith(file) && message.test(e.message));
  });
}

test("a bad local header is reported with the member and offset", async () => {
  const file = corrupt("local.zip", (b) => { b.writeUInt32LE(0, 0); return b; });
  const zip = await ZipReader.open(file);
  await assert.rejects(zip.read("m/data.pkl"), (e: unknown) => e instanceof GraftFormatError && e.entry === "m/data.pkl" && e.offset === 0);
  await zip.close();
});

test("readStoredInto: header and data in one read where torch's alignment holds, the right bytes where it doesn't", async () => {
  const file = join(tmp, "aligned.zip");
  execFileSync("/usr/bin/python3", ["-c", `
import torch, sys
torch.save({"a": torch.arange(1000, dtype=torch.float32), "b": torch.arange(7, dtype=torch.float32)}, sys.argv[1])`, file]);
  const plain = join(tmp, "plain.zip");
  execFileSync("/usr/bin/python3", ["-c", `
import zipfile, sys
z = zipfile.ZipFile(sys.argv[1], "w")
for n, size in [("x", 4000), ("longer/name/y", 28), ("z", 1)]:
    z.writestr(n, bytes((i * 7 + len(n)) % 256 for i in range(size)), compress_type=zipfile.ZIP_STORED)
z.close()`, plain]);
  for (const path of [file, plain]) {
    const zip = await ZipReader.open(path);
    for (const name of zip.names.filter((n) => zip.entry(n)!.uncompressedSize > 0)) {
      const want = await (await ZipReader.open(path)).read(name);
      const got = new Uint8Array(want.length);
      await zip.readStoredInto(name, 0, want.length, () => got);
      assert.ok(Buffer.from(got).equals(Buffer.from(want)), `${path}: ${name}`);
      const tail = new Uint8Array(want.length - 1);
      await zip.readStoredInto(name, 1, want.length - 1, () => tail); // offset now known: the plain path
      assert.ok(Buffer.from(tail).equals(Buffer.from(want.subarray(1))), `${path}: ${name} from byte 1`);
    }
    await zip.close();
  }
});

test("readStoredInto: a file cut inside a member's data fails naming it", async () => {
  const file = join(tmp, "cut.zip");
  execFileSync("/usr/bin/python3", ["-c", `
import torch, sys
torch.save({"a": torch.arange(100000, dtype=torch.float32)}, sys.argv[1])`, file]);
  const zip = await ZipReader.open(file);
  const name = zip.names.find((n) => n.endsWith("data/0"))!;
  truncateSync(file, zip.entry(name)!.localHeaderOffset + 1000);
  const into = new Uint8Array(400000);
  await assert.rejects(zip.readStoredInto(name, 0, 400000, () => into), (e: unknown) => e instanceof GraftFormatError && /truncated/.test(e.message) && e.message.includes(name));
  await zip.close();
});
