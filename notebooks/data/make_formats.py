"""Writes the Fashion-MNIST CNN's weights (fashion_cnn_0-4.pth) in every format graft reads,
for notebooks/04-formats.ipynb, into notebooks/data/generated/:

  small_cnn.safetensors                      torch names and layouts (safetensors written by hand:
                                             8-byte header length, JSON header, raw data)
  small_cnn.safetensors.index.json + 2 shards  sharded safetensors, as Hugging Face writes them
  small_cnn_legacy.pth                       torch's pre-1.6 format (_use_new_zipfile_serialization=False)
  small_cnn_module.pth                       a whole pickled nn.Module (torch.save(model))
  small_cnn.npz                              numpy arrays under torch names
  small_cnn_keras.h5                         Keras 2 HDF5 layout (layer_names / weight_names attributes,
                                             tfjs/Keras layouts: HWIO kernels, (in, out) dense kernels)
  evil.pth                                   a torch zip whose pickle calls os.system: graft must refuse it

Run: /usr/bin/python3 notebooks/data/make_formats.py
"""
import json, os, struct
import numpy as np
import torch
import h5py
from pretrain_fashion import SmallCNN, HERE

OUT = os.path.join(HERE, "generated")


def write_safetensors(path, tensors, metadata=None):
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        a = t.detach().contiguous().numpy().astype("<f4")
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


class Evil:
    def __reduce__(self):
        return (os.system, ("echo graft ran a pickle >&2",))


def keras_layout(name, t):
    a = t.detach().numpy()
    if a.ndim == 4:
        return a.transpose(2, 3, 1, 0)  # OIHW -> HWIO
    if name == "fc1.weight":  # (out, C*H*W) -> (H*W*C, out): tfjs flattens channels-last
        return a.reshape(64, 32, 7, 7).transpose(2, 3, 1, 0).reshape(7 * 7 * 32, 64)
    if a.ndim == 2:
        return a.T
    return a


def write_keras_h5(path, sd):
    keras_names = {"weight": "kernel", "bias": "bias"}
    bn_names = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}
    layers = ["conv1", "bn1", "conv2", "bn2", "fc1", "fc"]
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [n.encode() for n in layers]
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.15.0"
        for layer in layers:
            g = f.create_group(layer)
            names = []
            for key, t in sd.items():
                if not key.startswith(layer + ".") or key.endswith("num_batches_tracked"):
                    continue
                part = key.split(".")[-1]
                wname = f"{layer}/{(bn_names if layer.startswith('bn') else keras_names)[part]}:0"
                g.create_dataset(wname, data=keras_layout(key, t).astype("<f4"))
                names.append(wname.encode())
            g.attrs["weight_names"] = names


def main():
    os.makedirs(OUT, exist_ok=True)
    ck = torch.load(os.path.join(HERE, "fashion_cnn_0-4.pth"), map_location="cpu")
    sd = ck["state_dict"]
    model = SmallCNN(5)
    model.load_state_dict(sd)
    floats = {k: v for k, v in sd.items() if v.is_floating_point()}
    write_safetensors(os.path.join(OUT, "small_cnn.safetensors"), floats, {"format": "pt"})
    names = list(floats)
    shards = [names[: len(names) // 2], names[len(names) // 2:]]
    weight_map = {}
    for i, part in enumerate(shards):
        file = f"small_cnn-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        write_safetensors(os.path.join(OUT, file), {k: floats[k] for k in part}, {"format": "pt"})
        weight_map.update({k: file for k in part})
    total = sum(v.numel() * 4 for v in floats.values())
    with open(os.path.join(OUT, "small_cnn.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=1)
    torch.save(sd, os.path.join(OUT, "small_cnn_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(model, os.path.join(OUT, "small_cnn_module.pth"))
    np.savez(os.path.join(OUT, "small_cnn.npz"), **{k: v.numpy() for k, v in floats.items()})
    write_keras_h5(os.path.join(OUT, "small_cnn_keras.h5"), sd)
    torch.save({"state_dict": sd, "payload": Evil()}, os.path.join(OUT, "evil.pth"))
    print(OUT)


if __name__ == "__main__":
    main()
