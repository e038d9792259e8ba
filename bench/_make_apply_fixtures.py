"""bench/apply.ts's fixtures and PyTorch reference.

  make OUT_DIR                 writes OUT_DIR/<arch>.pth (torchvision state dict, random weights) for resnet50, vgg16
  time OUT_DIR ARCH REPEATS    prints JSON {"load_s": [...], "load_state_dict_s": [...]}: torch.load and
                               model.load_state_dict timed inside Python, the model built before the clock starts
"""
import json
import os
import sys
import time

import torch
import torchvision

ARCHS = ("resnet50", "vgg16")


def make(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    for arch in ARCHS:
        path = os.path.join(out, f"{arch}.pth")
        if not os.path.exists(path):
            torch.save(getattr(torchvision.models, arch)().state_dict(), path + ".tmp")
            os.replace(path + ".tmp", path)


def timing(out, arch, repeats):
    torch.set_num_threads(1)
    model = getattr(torchvision.models, arch)()
    path = os.path.join(out, f"{arch}.pth")
    loads, applies = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        sd = torch.load(path, map_location="cpu")
        t1 = time.perf_counter()
        model.load_state_dict(sd)
        t2 = time.perf_counter()
        loads.append(t1 - t0)
        applies.append(t2 - t1)
        del sd
    print(json.dumps({"load_s": loads, "load_state_dict_s": applies}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        timing(sys.argv[2], sys.argv[3], int(sys.argv[4]))
