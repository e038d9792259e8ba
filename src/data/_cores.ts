/**
 * Private: how many CPUs this process may use — `os.availableParallelism()` (affinity-aware),
 * lowered to a cgroup v2 CPU quota (`/sys/fs/cgroup/cpu.max`) when a container sets one.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** CPUs available to this process (at least 1). */
export function availableCores(): number {
  let n = availableParallelism();
  try {
    const [quota, period] = readFileSync("/sys/fs/cgroup/cpu.max", "utf8").trim().split(/\s+/);
    if (quota !== "max" && Number(period) > 0) n = Math.min(n, Math.ceil(Number(quota) / Number(period)));
  } catch {
    // no cgroup v2 quota here
  }
  return Math.max(1, n);
}
