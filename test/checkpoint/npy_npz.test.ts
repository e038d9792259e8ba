import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { open, GraftFormatError } from "../../src/checkpoint";
import { assertMatchesExpected, fixtures } from "./torch_fixtures";

const dir = fixtures("make_npy_fixtures.py", "npy");

for (const name of ["f32", "fortran", "be", "be_i64", "f16", "u8", "bool", "scalar", "empty", "big_u64", "v2", "v3"]) {
  test(`npy ${name}.npy equals what numpy wrote`, async () => {
    const ck = await open(join(dir, `${name}.npy`));
    assert.equal(ck.format, "npy");
    await assertMatchesExpected(ck, join(dir, `${name}.npy`));
    await ck.close();
  });
}

for (const name of ["stored", "compressed"]) {
  test(`npz ${name}.npz equals what numpy wrote`, async () => {
    const ck = await open(join(dir, `${name}.npz`));
    assert.equal(ck.format, "npz");
    await assertMatchesExpected(ck, join(dir, `${name}.npz`));
    await ck.close();
  });
}

test("npy whose data does not match its shape is refused with both sizes", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "graft-npy-"));
  const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }";
  const padded = header + " ".repeat(64 - ((10 + header.length + 1) % 64)) + "\n";
  const bytes = Buffer.concat([Buffer.from([0x93]), Buffer.from("NUMPY"), Buffer.from([1, 0, padded.length, 0]), Buffer.from(padded), Buffer.alloc(12)]);
  writeFileSync(join(tmp, "short.npy"), bytes);
  await assert.rejects(open(join(tmp, "short.npy")), (e: unknown) => e instanceof GraftFormatError && /needs 40 bytes/.test(e.message) && /holds 12/.test(e.message));
  const obj = Buffer.from(bytes.toString("latin1").replace("<f4", "|O8"), "latin1");
  writeFileSync(join(tmp, "object.npy"), obj);
  await assert.rejects(open(join(tmp, "object.npy")), /unsupported numpy dtype '\|O8'/);
  rmSync(tmp, { recursive: true, force: true });
});
