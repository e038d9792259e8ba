/**
 * Private: how many threads graft's engine may use. The count is the cores this process may
 * run on (`os.availableParallelism()`, which follows the CPU affinity mask), lowered to the
 * CPU quota of its cgroup (`/sys/fs/cgroup/cpu.max` in cgroup v2, `cpu.cfs_quota_us` /
 * `cpu.cfs_period_us` in v1, rounded up), unless `GRAFT_THREADS=n` says otherwise.
 */
import * as fs from "node:fs";
import * as os from "node:os";

/** A thread count and the words that explain it. */
export interface ThreadPlan {
  threads: number;
  why: string;
}

/** The CPU quota of this process's cgroup in cores (rounded up), or undefined when none is set. */
export function cgroupCores(read: (file: string) => string | undefined = readText): number | undefined {
  const v2 = read("/sys/fs/cgroup/cpu.max");
  if (v2 !== undefined) {
    const [quota, period] = v2.trim().split(/\s+/);
    return quota === "max" ? undefined : coresOf(Number(quota), Number(period));
  }
  const quota = read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") ?? read("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us");
  const period = read("/sys/fs/cgroup/cpu/cpu.cfs_period_us") ?? read("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us");
  if (quota === undefined || period === undefined) return undefined;
  return coresOf(Number(quota), Number(period));
}

function coresOf(quota: number, period: number): number | undefined {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return undefined;
  return Math.max(1, Math.ceil(quota / period));
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The threads to use: `GRAFT_THREADS` when set to a positive integer, else the cores available.
 * @param env the environment to read `GRAFT_THREADS` from.
 * @returns the count and why, e.g. `{ threads: 2, why: "2 cores available" }`.
 * @throws RangeError when `GRAFT_THREADS` is set but is not a positive integer.
 */
export function threadPlan(env: NodeJS.ProcessEnv = process.env, quota: number | undefined = cgroupCores()): ThreadPlan {
  const asked = env.GRAFT_THREADS;
  if (asked !== undefined && asked !== "") {
    const n = Number(asked);
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`Cannot use GRAFT_THREADS=${JSON.stringify(asked)}: it must be a positive integer such as 1 or 4; unset it to use every available core`);
    }
    return { threads: n, why: `GRAFT_THREADS=${n}` };
  }
  const affinity = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  if (quota !== undefined && quota < affinity) return { threads: quota, why: `cgroup CPU quota of ${quota} core${quota === 1 ? "" : "s"} (of ${affinity})` };
  return { threads: Math.max(1, affinity), why: `${affinity} core${affinity === 1 ? "" : "s"} available` };
}
