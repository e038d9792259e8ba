import { test } from "node:test";
import assert from "node:assert/strict";
import * as os from "node:os";
import { cgroupCores, threadPlan } from "../../src/engine/_cores";

const files = (map: Record<string, string>) => (f: string) => map[f];

test("cgroupCores reads cgroup v2 cpu.max and v1 quota/period, rounding up; no quota is undefined", () => {
  assert.equal(cgroupCores(files({ "/sys/fs/cgroup/cpu.max": "max 100000\n" })), undefined);
  assert.equal(cgroupCores(files({ "/sys/fs/cgroup/cpu.max": "200000 100000\n" })), 2);
  assert.equal(cgroupCores(files({ "/sys/fs/cgroup/cpu.max": "150000 100000\n" })), 2);
  assert.equal(cgroupCores(files({ "/sys/fs/cgroup/cpu.max": "50000 100000" })), 1);
  assert.equal(cgroupCores(files({ "/sys/fs/cgroup/cpu.max": "garbage" })), undefined);
  assert.equal(cgroupCores(files({ "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "300000\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n" })), 3);
  assert.equal(cgroupCores(files({ "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n" })), undefined);
  assert.equal(cgroupCores(files({})), undefined);
});

test("threadPlan: every available core, lowered to the cgroup quota, GRAFT_THREADS wins", () => {
  const cores = os.availableParallelism();
  assert.deepEqual(threadPlan({}, undefined), { threads: cores, why: `${cores} core${cores === 1 ? "" : "s"} available` });
  assert.equal(threadPlan({}, cores + 4).threads, cores);
  if (cores > 1) assert.match(threadPlan({}, 1).why, new RegExp(`cgroup CPU quota of 1 core \\(of ${cores}\\)`));
  assert.deepEqual(threadPlan({ GRAFT_THREADS: "3" }, 1), { threads: 3, why: "GRAFT_THREADS=3" });
  for (const bad of ["0", "-2", "1.5", "many"]) {
    assert.throws(() => threadPlan({ GRAFT_THREADS: bad }), (err: Error) => err instanceof RangeError && err.message.includes(`GRAFT_THREADS="${bad}"`) && /positive integer/.test(err.message));
  }
});
