"""torchvision's side of bench/data.ts: one pass of DataLoader(ImageFolder(root, weights.transforms()))
with the given workers and batch size; prints {"images": n, "seconds": s, "images_per_s": r, "max_rss_mb": m}.
usage: data_torch.py ROOT WORKERS BATCH"""
import json
import resource
import sys
import time

import torch
import torchvision
from torchvision.models import ResNet18_Weights


def main():
    root, workers, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(1)
    ds = torchvision.datasets.ImageFolder(root, transform=ResNet18_Weights.DEFAULT.transforms())
    loader = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=False, num_workers=workers)
    t0 = time.perf_counter()
    n = 0
    for xs, ys in loader:
        n += xs.shape[0]
    s = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"images": n, "seconds": s, "images_per_s": n / s, "max_rss_mb": rss / 1024}))


if __name__ == "__main__":
    main()
