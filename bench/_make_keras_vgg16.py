"""Writes a Keras-2-layout VGG16 full-model .h5 with h5py (random float32 weights, 553 MB), the
file bench/keras_h5.ts reads. Layout as tf.keras save_model_to_hdf5: root attrs, model_weights
group with layer_names, per-layer weight_names and datasets at <layer>/<layer>/<weight>:0.
Run: /usr/bin/python3 bench/_make_keras_vgg16.py OUT.h5
"""
import sys

import h5py
import numpy as np

convs = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256),
         (256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512)]
blocks = [1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5]
layers, seen = [], {}
for (cin, cout), b in zip(convs, blocks):
    seen[b] = seen.get(b, 0) + 1
    layers.append(("block%d_conv%d" % (b, seen[b]), [("kernel:0", (3, 3, cin, cout)), ("bias:0", (cout,))]))
layers += [("fc1", [("kernel:0", (25088, 4096)), ("bias:0", (4096,))]), ("fc2", [("kernel:0", (4096, 4096)), ("bias:0", (4096,))]),
           ("predictions", [("kernel:0", (4096, 1000)), ("bias:0", (1000,))])]
rng = np.random.default_rng(0)
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["keras_version"] = b"2.13.1"
    f.attrs["backend"] = b"tensorflow"
    f.attrs["model_config"] = b'{"class_name": "Functional", "config": {"name": "vgg16"}}'
    g = f.create_group("model_weights")
    g.attrs["layer_names"] = np.array([n.encode() for n, _ in layers])
    for name, weights in layers:
        lg = g.create_group(name)
        lg.attrs["weight_names"] = np.array([("%s/%s" % (name, w)).encode() for w, _ in weights])
        for w, shape in weights:
            lg.create_dataset("%s/%s" % (name, w), data=rng.standard_normal(shape, dtype=np.float32))
