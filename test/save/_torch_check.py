"""Test helper: loads graft-written .pth / .safetensors files into real torch modules with
load_state_dict(strict=True), runs an input through them, and re-saves torch's own state dict.

argv[1]: a JSON job {"arch": "resnet18" | "custom_cnn", "num_classes": N, "files": [...],
"input": raw float32 NHWC path, "shape": [N, H, W, C], "resave": path or null}. Prints JSON:
{"outputs": {file: [floats]}, "keys": {file: [names]}, "dtypes": {file: {name: dtype}}}.
"""
import json
import struct
import sys

import numpy as np
import torch
import torchvision

DTYPES = {"F32": np.float32, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        arr = np.frombuffer(raw[base + b : base + end], dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


def build(arch, num_classes):
    if arch == "resnet18":
        return torchvision.models.resnet18(num_classes=num_classes)
    if arch == "custom_cnn":
        return torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3),
            torch.nn.BatchNorm2d(8),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Flatten(),
            torch.nn.Linear(8 * 7 * 7, num_classes),
        )
    raise ValueError(arch)


def main():
    job = json.loads(sys.argv[1])
    x = np.fromfile(job["input"], dtype=np.float32).reshape(job["shape"])
    x = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
    result = {"outputs": {}, "keys": {}, "dtypes": {}, "meta": {}, "contiguous": {}}
    model = None
    for path in job["files"]:
        if path.endswith(".safetensors"):
            sd, meta = read_safetensors(path)
            result["meta"][path] = meta
        else:
            sd = torch.load(path, map_location="cpu", weights_only=True)
        model = build(job["arch"], job["num_classes"])
        model.load_state_dict(sd, strict=True)  # raises on any missing/unexpected/shape problem
        model.eval()
        with torch.no_grad():
            result["outputs"][path] = model(x).flatten().tolist()
        result["keys"][path] = list(sd.keys())
        result["dtypes"][path] = {k: str(v.dtype) for k, v in sd.items()}
        result["contiguous"][path] = all(v.is_contiguous() for v in sd.values())
    if job.get("resave"):
        torch.save(model.state_dict(), job["resave"])
    print(json.dumps(result))


main()
