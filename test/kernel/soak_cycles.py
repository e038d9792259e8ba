"""Soak: CYCLES times start → execute → interrupt → restart → execute → shutdown of the kernelspec
"graft" under Debian's jupyter_client, the way Jupyter drives a kernel. Every kernel process must
exit by itself with code 0 (no SIGTERM/SIGKILL from jupyter_client, no signal) and print no native
abort text on stderr. Prints one JSON line per cycle and a summary line; exit status 1 on any
abnormal exit. Cells that fail or interrupts that go unanswered are listed apart ("cells"). Run by test/kernel/soak.test.ts (JUPYTER_PATH points at a temporary kernelspec)."""
import json
import re
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager

ABORT = re.compile(
    r"corrupted|double free|free\(\)|malloc|Aborted|Segmentation fault|FATAL ERROR|Fatal error|"
    r"terminate called|Assertion .* failed|Check failed|core dumped|heap-use-after|SIGSEGV|SIGABRT"
)


def run_cell(kc, code, timeout=60):
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda m: None)
    return reply["content"]


def interrupted_cell(km, kc, code):
    """Starts `code`, interrupts it the way Jupyter does (the kernelspec's interrupt_mode), returns the reply."""
    msg_id = kc.execute(code)
    # Interrupt once the cell runs (its execute_input is out), as a user sees it running.
    deadline = time.time() + 120
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=deadline - time.time())
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_input":
            break
    time.sleep(0.2)
    km.interrupt_kernel()
    # The awaited cell ends by itself after 30 s: an interrupt that was lost shows as status ok.
    # (One in two were, until kernel/_sigint.ts.)
    deadline = time.time() + 90
    while time.time() < deadline:
        reply = kc.get_shell_msg(timeout=deadline - time.time())
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]
    raise TimeoutError("no execute_reply after the interrupt")


def ended(km, popen, what):
    """How the kernel process `popen` ended after `what`: ok, or why not."""
    rc = popen.wait(timeout=30)
    status = getattr(getattr(km, "_shutdown_status", None), "name", "Unset")
    if rc != 0:
        return f"{what}: exit {'signal ' + str(-rc) if rc < 0 else 'code ' + str(rc)}"
    if status not in ("Unset", "ShutdownRequest"):
        return f"{what}: did not exit by itself ({status})"
    return None


def cycle(i, stderr_path):
    problems, cells = [], []
    with open(stderr_path, "w") as err:
        km = KernelManager(kernel_name="graft")
        # Jupyter SIGTERMs a kernel still there after half of this, SIGKILLs it at the end. A shutdown
        # that lands while the kernel compiles its prelude (seconds on a busy machine) waits for it.
        km.shutdown_wait_time = 30
        km.start_kernel(stderr=err)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            c = run_cell(kc, f"{i} + 1")
            if c["status"] != "ok":
                cells.append(f"first cell: {c}")
            # Alternate a synchronous loop and an awaited promise.
            code = "while (true) {}" if i % 2 == 0 else "await new Promise((res) => setTimeout(res, 30000));"
            c = interrupted_cell(km, kc, code)
            if c.get("ename") != "KeyboardInterrupt":
                cells.append(f"interrupt not answered with KeyboardInterrupt ({'awaited' if i % 2 else 'synchronous'} cell): {c}")
            popen = km.provisioner.process
            km.restart_kernel(now=False)
            problems.append(ended(km, popen, "restart"))
            kc.wait_for_ready(timeout=120)
            c = run_cell(kc, "2 + 2")
            if c["status"] != "ok":
                cells.append(f"cell after restart: {c}")
            popen = km.provisioner.process
            km.shutdown_kernel(now=False)
            problems.append(ended(km, popen, "shutdown"))
        finally:
            kc.stop_channels()
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    with open(stderr_path) as f:
        text = f.read()
    if ABORT.search(text):
        problems.append(f"native abort text on stderr: {text[-2000:]}")
    return [p for p in problems if p], cells, text


def main():
    cycles = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    bad = failed_cells = 0
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(cycles):
            t0 = time.time()
            problems, cells, text = cycle(i, f"{tmp}/stderr-{i}.txt")
            bad += bool(problems)
            failed_cells += bool(cells)
            print(json.dumps({"cycle": i, "seconds": round(time.time() - t0, 2), "problems": problems, "cells": cells, "stderr": text[-500:] if problems else ""}), flush=True)
    print(json.dumps({"cycles": cycles, "abnormal": bad, "cells_failed": failed_cells, "seconds": round(time.time() - start, 1)}), flush=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
