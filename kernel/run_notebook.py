"""Executes a notebook headless through a Jupyter kernel (nbclient) and saves the result.

Used by `graft run`; run it with Debian's /usr/bin/python3 (python3-nbclient, python3-nbconvert).
Stops at the first cell that errors, still saving what ran, and exits 1 after printing
"cell N failed: ENAME: EVALUE" on stderr (N counts every cell from 1). Exit 2: bad usage or a
kernel that could not start or died.
"""
import argparse
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("notebook")
    p.add_argument("--output", required=True, help="where to write the executed .ipynb")
    p.add_argument("--html", help="also write an HTML rendering here")
    p.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    p.add_argument("--kernel", default="graft", help="kernelspec name (default graft)")
    p.add_argument("--display-name", default="TypeScript (graft)")
    a = p.parse_args()

    nb = nbformat.read(a.notebook, as_version=4)
    nb.metadata["kernelspec"] = {"name": a.kernel, "display_name": a.display_name, "language": "typescript"}
    cwd = os.path.dirname(os.path.abspath(a.notebook))
    client = NotebookClient(nb, timeout=a.timeout, kernel_name=a.kernel, resources={"metadata": {"path": cwd}})

    failure = None
    code = 0
    try:
        with client.setup_kernel():
            info = client.wait_for_reply(client.kc.kernel_info())
            nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(nb.cells):
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as e:
                    failure = f"cell {index + 1} failed: {e.ename}: {e.evalue}"
                    code = 1
                    break
                except CellTimeoutError:
                    failure = f"cell {index + 1} failed: timed out after {a.timeout} s (pass --timeout to allow more)"
                    code = 1
                    break
    except DeadKernelError as e:
        failure = f"the kernel died: {e}"
        code = 2
    except RuntimeError as e:
        failure = f"the kernel could not start: {e}"
        code = 2

    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    nbformat.write(nb, a.output)
    print(f"executed notebook: {a.output}")
    if a.html:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nb)
        os.makedirs(os.path.dirname(os.path.abspath(a.html)), exist_ok=True)
        with open(a.html, "w", encoding="utf-8") as f:
            f.write(body)
        print(f"html: {a.html}")
    if failure:
        print(f"{a.notebook}: {failure}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
