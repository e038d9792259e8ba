import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { open, GraftUnsafePickleError } from "../../src/checkpoint";
import { unpickle } from "../../src/checkpoint/_pickle";
import { fixtures } from "./torch_fixtures";

const dir = fixtures("make_torch_checkpoints.py", "torch");

const EVIL: Array<[string, string]> = [
  ["evil_os_system.pkl", "os.system"], ["evil_posix_system.pkl", "posix.system"], ["evil_eval.pkl", "builtins.eval"],
  ["evil_exec.pkl", "builtins.exec"], ["evil_import.pkl", "builtins.__import__"], ["evil_popen.pkl", "subprocess.Popen"],
  ["evil_getattr.pkl", "builtins.getattr"], ["evil_load_from_bytes.pkl", "torch.storage._load_from_bytes"],
  ["evil_py2_eval.pkl", "builtins.eval"], ["evil_zip.pth", "builtins.eval"], ["evil_nested_exploit.pth", "posix.system"],
];

for (const [file, global] of EVIL) {
  test(`hostile pickle ${file} is refused naming ${global}`, async () => {
    await assert.rejects(open(join(dir, file)), (e: unknown) =>
      e instanceof GraftUnsafePickleError && e.global === global && e.message.includes(file) && e.message.includes(global));
  });
}

test("prototype pollution keys stay data", async () => {
  const ck = await open(join(dir, "evil_proto.pth"));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  const md = ck.metadata as Record<string, any>;
  assert.ok(Object.prototype.hasOwnProperty.call(md, "__proto__"));
  assert.equal(Object.getPrototypeOf(md), Object.prototype);
  assert.ok(Object.prototype.hasOwnProperty.call(md.cfg, "constructor"));
  assert.deepEqual(ck.entries.map((e) => e.name), ["w"]);
  await ck.close();
});

test("NEWOBJ of a dangerous class builds an inert record and never calls it", () => {
  // \x80\x02 c os\nsystem\n ) \x81 .  — NEWOBJ(os.system, ()) : a record, not a call.
  const bytes = new Uint8Array([0x80, 2, 0x63, ...Buffer.from("os\nsystem\n"), 0x29, 0x81, 0x2e]);
  const { value } = unpickle(bytes, "x.pkl");
  assert.equal((value as { className: string }).className, "os.system");
});

test("unsupported opcodes and truncation are format errors with the offset", () => {
  assert.throws(() => unpickle(new Uint8Array([0x80, 2, 0xff]), "x.pkl"), /unsupported opcode.*0xff at offset 2/);
  assert.throws(() => unpickle(new Uint8Array([0x80, 2, 0x58, 9, 0, 0, 0, 0x41]), "x.pkl"), /truncated/);
});

test("known torch tensor kinds graft cannot read are format errors, not 'unsafe'", () => {
  const bytes = new Uint8Array([0x80, 2, 0x63, ...Buffer.from("torch._utils\n_rebuild_qtensor\n"), 0x29, 0x52, 0x2e]);
  assert.throws(() => unpickle(bytes, "q.pt"), (e: unknown) =>
    !(e instanceof GraftUnsafePickleError) && /quantized, sparse, nested or meta tensor/.test((e as Error).message));
});
