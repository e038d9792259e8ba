/**
 * PyTorch's hub cache, shared: `$TORCH_HOME/hub/checkpoints` (default `$XDG_CACHE_HOME/torch`,
 * else `~/.cache/torch`), as `torch.hub.load_state_dict_from_url`. A file already there is used
 * as is, with no network and no re-hash (torch.hub does the same); otherwise it is downloaded to
 * a temporary file in that folder, its sha256 checked against the prefix in its name (torch.hub's
 * `check_hash`), and renamed into place — so the cache never holds a partial or corrupt file.
 * `GRAFT_HUB_MIRROR=http://host/path/` fetches from a mirror instead of the URL's base;
 * `GRAFT_HUB_OFFLINE=1` forbids the network.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { GraftHubError } from "./errors";
import { hashPrefix } from "./registry";

/**
 * torch's home folder: `$TORCH_HOME`, else `$XDG_CACHE_HOME/torch`, else `~/.cache/torch` (torch.hub's `_get_torch_home`).
 * @returns an absolute path (not created).
 * @example
 * ```ts
 * graft.hub.torchHome(); // "/home/me/.cache/torch"
 * ```
 */
export function torchHome(): string {
  const expand = (p: string) => (p === "~" || p.startsWith("~/") ? join(homedir(), p.slice(1)) : p);
  if (process.env.TORCH_HOME) return expand(process.env.TORCH_HOME);
  return join(expand(process.env.XDG_CACHE_HOME || "~/.cache"), "torch");
}

/**
 * The folder torch.hub keeps downloaded checkpoints in: `<torchHome()>/hub/checkpoints`.
 * @example
 * ```ts
 * graft.hub.hubCacheDir(); // "/home/me/.cache/torch/hub/checkpoints"
 * ```
 */
export function hubCacheDir(): string {
  return join(torchHome(), "hub", "checkpoints");
}

/** Options of {@link cachedDownload}. */
export interface DownloadOptions {
  /** Called as bytes arrive (`totalBytes` is 0 when the server sends no length). */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** Check the sha256 prefix in the file name after a download (torch.hub's `check_hash`). Default true. */
  checkHash?: boolean;
  /** Refuse the network (also `GRAFT_HUB_OFFLINE=1`). Default false. */
  offline?: boolean;
}

/** What {@link cachedDownload} did. */
export interface CachedFile {
  /** The file in the cache. */
  path: string;
  /** True when it was fetched now, false when it was already there. */
  downloaded: boolean;
  /** Where it came from (the mirror's URL when `GRAFT_HUB_MIRROR` is set). */
  source: string;
}

/**
 * The URL actually fetched: with `GRAFT_HUB_MIRROR` set, the mirror plus the file name, else `url`.
 * @example
 * ```ts
 * // GRAFT_HUB_MIRROR=http://127.0.0.1:8000/models/
 * graft.hub.mirrored("https://download.pytorch.org/models/resnet18-f37072fd.pth"); // "http://127.0.0.1:8000/models/resnet18-f37072fd.pth"
 * ```
 */
export function mirrored(url: string): string {
  const mirror = process.env.GRAFT_HUB_MIRROR;
  if (!mirror) return url;
  return `${mirror.endsWith("/") ? mirror : `${mirror}/`}${fileNameOf(url)}`;
}

function fileNameOf(url: string): string {
  let name: string;
  try {
    name = basename(new URL(url).pathname);
  } catch {
    throw new TypeError(`Cannot download ${JSON.stringify(url)}: not a URL (expected https://host/path/file.pth)`);
  }
  if (!name) throw new TypeError(`Cannot download ${url}: the URL names no file (it ends in "/")`);
  return decodeURIComponent(name);
}

/**
 * The cached copy of `url`, downloading it first if it is not there.
 * @param url `https://` or `http://` address of a checkpoint; the cache file is named after its last path segment.
 * @param options progress callback, hash check, offline.
 * @returns the cached file and whether it was downloaded now.
 * @throws GraftHubError: `offline` (no network, or `GRAFT_HUB_OFFLINE=1`) naming the URL and the
 *   exact path to put the file at; `hash_mismatch` naming URL, expected and actual prefix (the
 *   download is deleted); `http` for a non-2xx answer; `io` when the cache cannot be written.
 * @example
 * ```ts
 * const { path } = await graft.hub.cachedDownload("https://download.pytorch.org/models/resnet18-f37072fd.pth");
 * await graft.loadWeights(model, path);
 * ```
 */
export async function cachedDownload(url: string, options: DownloadOptions = {}): Promise<CachedFile> {
  const name = fileNameOf(url);
  const dir = hubCacheDir();
  const path = join(dir, name);
  if (existsSync(path)) return { path, downloaded: false, source: path };
  const source = mirrored(url);
  if (options.offline || process.env.GRAFT_HUB_OFFLINE === "1") {
    throw new GraftHubError("offline", source, path,
      `Cannot get ${source}: offline (${options.offline ? "offline: true" : "GRAFT_HUB_OFFLINE=1"}) and not in the cache; download it on a connected machine and put it at ${path}`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new GraftHubError("io", source, path, `Cannot create the cache folder ${dir}: ${(err as Error).message}; set TORCH_HOME to a writable folder`, { cause: err });
  }
  let res: Response;
  try {
    res = await fetch(source, { redirect: "follow" });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new GraftHubError("offline", source, path,
      `Cannot download ${source}: ${cause?.code ?? cause?.message ?? (err as Error).message}; without network, download it elsewhere and put it at ${path}, or set GRAFT_HUB_MIRROR=http://host/path/ to a mirror`, { cause: err });
  }
  if (!res.ok || !res.body) {
    throw new GraftHubError("http", source, path, `Cannot download ${source}: HTTP ${res.status} ${res.statusText}; put the file at ${path} by hand, or check GRAFT_HUB_MIRROR`);
  }
  const total = Number(res.headers.get("content-length") ?? 0) || 0;
  const tmp = join(dir, `.${name}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.partial`);
  const hash = createHash("sha256");
  const fh = await open(tmp, "w");
  let done = 0;
  try {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        let off = 0;
        while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
        done += chunk.length;
        options.onProgress?.(done, total);
      }
    } finally {
      await fh.close();
    }
    if (total > 0 && done !== total) {
      throw new GraftHubError("http", source, path, `Cannot download ${source}: the connection ended after ${done} of ${total} bytes; try again`);
    }
    const expected = options.checkHash === false ? undefined : hashPrefix(name);
    if (expected) {
      const actual = hash.digest("hex").slice(0, expected.length);
      if (actual !== expected) {
        throw new GraftHubError("hash_mismatch", source, path,
          `Downloaded ${source} but its sha256 starts ${actual}, not ${expected} as its name says; the download was deleted — the file is corrupt or not the one named (check GRAFT_HUB_MIRROR)`,
          { expected, actual });
      }
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof GraftHubError) throw err;
    throw new GraftHubError("io", source, path, `Cannot download ${source} to ${path}: ${(err as Error).message}`, { cause: err });
  }
  return { path, downloaded: true, source };
}

/** True for `http://` and `https://` sources (what `loadWeights` and `%load_weights` send through the cache). */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}
