"""PyTorch reference for bench/backbone-forward.ts: torchvision forward (eval, no_grad) time.

Usage: backbone_forward_torch.py BATCH SIZE REPEATS ARCH [ARCH ...]
Prints one JSON object: {arch: {"1": seconds, "<all>": seconds}}, the best of REPEATS after a
warm-up, at 1 thread and at one thread per CPU.
"""
import json
import os
import sys
import time

import torch
import torchvision

batch, size, repeats = (int(v) for v in sys.argv[1:4])
archs = sys.argv[4:]
everything = os.cpu_count() or 1  # torch 1.13 starts at 1 thread here
torch.manual_seed(0)
x = torch.randn(batch, 3, size, size)
out = {}
for arch in archs:
    model = getattr(torchvision.models, arch)().eval()
    out[arch] = {}
    for threads in sorted({1, everything}):
        torch.set_num_threads(threads)
        with torch.no_grad():
            model(x)
            best = float("inf")
            for _ in range(repeats):
                t = time.perf_counter()
                model(x)
                best = min(best, time.perf_counter() - t)
        out[arch][str(threads)] = best
print(json.dumps(out))
