"""A kernel that dies, driven by Debian's jupyter_client as Jupyter drives it: a runaway cell hits
the kernel's heap limit; Jupyter restarts the kernel (same connection file); the first cell of the
new process must say why the old one died. Then the same for a kernel killed with SIGKILL while
busy. Prints one JSON object; run by test/kernel/oom.test.ts with JUPYTER_PATH pointing at a
kernelspec installed with a small GRAFT_KERNEL_HEAP_MB."""
import json
import os
import signal
import sys

from jupyter_client.manager import KernelManager

RUNAWAY = "const hog: number[][] = [];\nwhile (true) hog.push(new Array(1e5).fill(Math.random()));"


def run(kc, code):
    """(reply content, stderr text, last result text) of one cell."""
    err, result = [], []

    def hook(m):
        if m["msg_type"] == "stream" and m["content"]["name"] == "stderr":
            err.append(m["content"]["text"])
        if m["msg_type"] == "execute_result":
            result.append(m["content"]["data"]["text/plain"])

    reply = kc.execute_interactive(code, timeout=300, output_hook=hook)
    return reply["content"], "".join(err), "".join(result)


def dies(km, kc, code, kill=False):
    """Runs `code` until the kernel process dies (SIGKILL once it runs, if `kill`); its exit code."""
    popen = km.provisioner.process
    msg_id = kc.execute(code)
    while True:
        m = kc.get_iopub_msg(timeout=300)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
            break
    if kill:
        os.kill(popen.pid, signal.SIGKILL)
    return popen.wait(timeout=600)


def restart(km, kc):
    # What Jupyter's restarter does when the kernel process has died.
    km.restart_kernel(now=True)
    kc.wait_for_ready(timeout=300)


def main():
    out = {}
    km = KernelManager(kernel_name="graft")
    km.start_kernel(stderr=open(sys.argv[1], "w") if len(sys.argv) > 1 else None)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=300)
        out["heap_limit_mb"] = run(kc, 'Math.round(require("v8").getHeapStatistics().heap_size_limit / 2 ** 20)')[2]
        run(kc, "const keep = 42;")
        out["oom_exit"] = dies(km, kc, RUNAWAY)
        restart(km, kc)
        out["after_oom"] = run(kc, "1 + 1")
        out["second"] = run(kc, "2")
        out["keep"] = run(kc, "keep")[0]
        out["kill_exit"] = dies(km, kc, "while (true) {}", kill=True)
        restart(km, kc)
        out["after_kill"] = run(kc, "3")
        km.shutdown_kernel(now=False)
        out["shutdown_exit"] = 0
    finally:
        kc.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
