/**
 * PyTorch's hub cache, shared: a file already in $TORCH_HOME/hub/checkpoints is used with no
 * request; otherwise a mirror download lands atomically with progress; a corrupt download is
 * rejected and leaves nothing; offline says where to put the file. All against a local server.
 */
import { after, afterEach, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cachedDownload, GraftHubError, hashPrefix, hubCacheDir, mirrored, torchHome } from "../../src/hub";
import { startServer, type TestServer } from "./_server";

let server: TestServer;
let home = "";
const saved = { TORCH_HOME: process.env.TORCH_HOME, GRAFT_HUB_MIRROR: process.env.GRAFT_HUB_MIRROR, GRAFT_HUB_OFFLINE: process.env.GRAFT_HUB_OFFLINE };

before(async () => { server = await startServer(); });
after(async () => { await server.close(); });
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "graft-torch-home-"));
  process.env.TORCH_HOME = home;
  process.env.GRAFT_HUB_MIRROR = `${server.base}mirror/`;
  delete process.env.GRAFT_HUB_OFFLINE;
  server.requests.length = 0;
  server.files.clear();
  server.slow.chunk = 0;
  server.cut.after = 0;
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  fs.rmSync(home, { recursive: true, force: true });
});

/** Random bytes and the torch.hub-style name carrying their sha256 prefix. */
function weightsFile(stem: string, size = 300_000): { name: string; bytes: Uint8Array } {
  const bytes = randomBytes(size);
  return { name: `${stem}-${createHash("sha256").update(bytes).digest("hex").slice(0, 8)}.pth`, bytes };
}

const cacheFiles = () => (fs.existsSync(hubCacheDir()) ? fs.readdirSync(hubCacheDir()) : []);

test("torchHome/hubCacheDir follow TORCH_HOME, then XDG_CACHE_HOME, then ~/.cache", () => {
  assert.equal(hubCacheDir(), path.join(home, "hub", "checkpoints"));
  const xdg = process.env.XDG_CACHE_HOME;
  delete process.env.TORCH_HOME;
  process.env.XDG_CACHE_HOME = "/x/cache";
  assert.equal(torchHome(), "/x/cache/torch");
  delete process.env.XDG_CACHE_HOME;
  assert.equal(torchHome(), path.join(os.homedir(), ".cache", "torch"));
  if (xdg !== undefined) process.env.XDG_CACHE_HOME = xdg;
  assert.equal(hashPrefix("vgg16_features-amdegroot-88682ab5.pth"), "88682ab5");
  assert.equal(hashPrefix("model.pth"), undefined);
  assert.equal(mirrored("https://download.pytorch.org/models/a-1234.pth"), `${server.base}mirror/a-1234.pth`);
});

test("a file already in the cache is used with no request (not even re-hashed, as torch.hub)", async () => {
  fs.mkdirSync(hubCacheDir(), { recursive: true });
  const cached = path.join(hubCacheDir(), "resnet18-f37072fd.pth");
  fs.writeFileSync(cached, "whatever torch put here");
  const got = await cachedDownload("https://download.pytorch.org/models/resnet18-f37072fd.pth");
  assert.deepEqual(got, { path: cached, downloaded: false, source: cached });
  assert.equal(server.requests.length, 0);
});

test("a mirror download reports progress, lands atomically, and is then cached", async () => {
  const f = weightsFile("tiny", 1_000_000);
  server.files.set(`/mirror/${f.name}`, f.bytes);
  server.slow.chunk = 100_000;
  server.slow.pauseMs = 5;
  const target = path.join(hubCacheDir(), f.name);
  const seen: [number, number][] = [];
  let visibleEarly = false;
  const got = await cachedDownload(`https://download.pytorch.org/models/${f.name}`, {
    onProgress: (done, total) => {
      seen.push([done, total]);
      if (done < total && fs.existsSync(target)) visibleEarly = true;
    },
  });
  assert.equal(got.downloaded, true);
  assert.equal(got.source, `${server.base}mirror/${f.name}`);
  assert.equal(visibleEarly, false, "the final file must not appear before the download is complete and checked");
  assert.ok(seen.length >= 5, `progress reported ${seen.length} times`);
  assert.deepEqual(seen[seen.length - 1], [f.bytes.length, f.bytes.length]);
  assert.ok(seen.every(([d], i) => i === 0 || d >= seen[i - 1][0]));
  assert.ok(Buffer.from(fs.readFileSync(target)).equals(Buffer.from(f.bytes)));
  assert.deepEqual(cacheFiles(), [f.name]);
  assert.equal(server.requests.length, 1);
  await cachedDownload(`https://download.pytorch.org/models/${f.name}`);
  assert.equal(server.requests.length, 1, "second call: served from the cache");
});

test("a corrupted download is rejected with URL, expected and actual prefix, and leaves no file", async () => {
  const f = weightsFile("bad");
  const corrupt = Uint8Array.from(f.bytes);
  corrupt[1234] ^= 0xff;
  server.files.set(`/mirror/${f.name}`, corrupt);
  const url = `https://download.pytorch.org/models/${f.name}`;
  const expected = hashPrefix(f.name) as string;
  const actual = createHash("sha256").update(corrupt).digest("hex").slice(0, 8);
  await assert.rejects(cachedDownload(url), (e: unknown) => {
    assert.ok(e instanceof GraftHubError);
    assert.equal(e.code, "hash_mismatch");
    assert.equal(e.expected, expected);
    assert.equal(e.actual, actual);
    assert.match(e.message, new RegExp(`${server.base}mirror/${f.name}.*starts ${actual}, not ${expected}.*deleted`));
    return true;
  });
  assert.deepEqual(cacheFiles(), [], "neither the file nor a partial download is left");
});

test("offline: a clear error naming the URL and the exact cache path; HTTP errors name the status", async () => {
  process.env.GRAFT_HUB_OFFLINE = "1";
  const url = "https://download.pytorch.org/models/resnet34-b627a593.pth";
  const where = path.join(hubCacheDir(), "resnet34-b627a593.pth");
  await assert.rejects(cachedDownload(url), (e: unknown) =>
    e instanceof GraftHubError && e.code === "offline" && e.cachePath === where && e.message.includes(where) && e.message.includes("resnet34-b627a593.pth"));
  delete process.env.GRAFT_HUB_OFFLINE;
  // Nothing listens on the mirror: the same kind of error, with the path to put the file at.
  const closed = await startServer();
  await closed.close();
  process.env.GRAFT_HUB_MIRROR = `${closed.base}m/`;
  await assert.rejects(cachedDownload(url), (e: unknown) =>
    e instanceof GraftHubError && e.code === "offline" && e.message.includes(`${closed.base}m/resnet34-b627a593.pth`) && e.message.includes(where));
  process.env.GRAFT_HUB_MIRROR = `${server.base}mirror/`;
  await assert.rejects(cachedDownload(url), (e: unknown) => e instanceof GraftHubError && e.code === "http" && /HTTP 404/.test(e.message));
  assert.deepEqual(cacheFiles(), []);
  assert.equal(server.requests.length, 1);
});

test("a connection dropped mid-download is an error and leaves no file; the next try succeeds", async () => {
  const f = weightsFile("cut", 500_000);
  server.files.set(`/mirror/${f.name}`, f.bytes);
  server.cut.after = 100_000;
  const url = `https://download.pytorch.org/models/${f.name}`;
  await assert.rejects(cachedDownload(url), (e: unknown) => e instanceof GraftHubError && e.message.includes(f.name));
  assert.deepEqual(cacheFiles(), []);
  server.cut.after = 0;
  const got = await cachedDownload(url);
  assert.equal(got.downloaded, true);
  assert.deepEqual(cacheFiles(), [f.name]);
});
