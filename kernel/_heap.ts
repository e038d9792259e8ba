/**
 * The kernel's V8 heap limit, written into the kernelspec as `--max-old-space-size`: half the
 * memory this process may use — the cgroup limit when there is one (a container), else the
 * machine's RAM — kept between 512 MiB and 16 GiB; `GRAFT_KERNEL_HEAP_MB` at install time
 * overrides it. Node's own default ignores container limits (4 GiB in a 2 GiB container: the
 * system kills the kernel silently); half leaves room for tensors, which live outside that heap.
 */
import os from "node:os";

const MIN_MB = 512;
const MAX_MB = 16 * 1024;

/**
 * The heap limit in MiB for the kernel process.
 * @param env where GRAFT_KERNEL_HEAP_MB is read
 * @returns whole MiB
 * @example
 * kernelHeapMB({ GRAFT_KERNEL_HEAP_MB: "2048" }); // 2048
 */
export function kernelHeapMB(env: Record<string, string | undefined> = process.env): number {
  const asked = env.GRAFT_KERNEL_HEAP_MB;
  if (asked !== undefined && asked !== "") {
    const mb = Number(asked);
    if (!Number.isInteger(mb) || mb < 64) throw new RangeError(`GRAFT_KERNEL_HEAP_MB must be a whole number of MiB, at least 64: got "${asked}"`);
    return mb;
  }
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  const bytes = constrained > 0 ? Math.min(constrained, os.totalmem()) : os.totalmem();
  return Math.min(MAX_MB, Math.max(MIN_MB, Math.floor(bytes / 2 / 2 ** 20)));
}
