/** GraftHubError: a pretrained file could not be found in the cache nor downloaded, or failed its hash check. */
import { GraftError } from "../errors";

/** Why a hub download failed: bad hash, no network (or offline on purpose), or an HTTP/file error. */
export type HubErrorCode = "hash_mismatch" | "offline" | "http" | "io";

/**
 * Thrown by the hub cache. `url` is what was fetched, `cachePath` where the file belongs (put
 * it there by hand when offline); for `hash_mismatch`, `expected` and `actual` sha256 prefixes.
 * @example
 * ```ts
 * const url = "https://download.pytorch.org/models/resnet18-f37072fd.pth";
 * try { await graft.hub.cachedDownload(url); }
 * catch (e) { if (e instanceof graft.hub.GraftHubError && e.code === "offline") console.log(e.cachePath); }
 * ```
 */
export class GraftHubError extends GraftError {
  readonly code: HubErrorCode;
  readonly url: string;
  readonly cachePath: string;
  readonly expected?: string;
  readonly actual?: string;
  constructor(code: HubErrorCode, url: string, cachePath: string, message: string, details: { expected?: string; actual?: string; cause?: unknown } = {}) {
    super(message, { cause: details.cause });
    this.code = code;
    this.url = url;
    this.cachePath = cachePath;
    this.expected = details.expected;
    this.actual = details.actual;
  }
}
