"""Pretrains the small CNN that notebooks/02-transfer-fashion-mnist.ipynb transfers from.

Real PyTorch (Debian's python3-torch) on Fashion-MNIST classes 0-4 (T-shirt, Trouser, Pullover,
Dress, Coat) from Debian's dataset-fashion-mnist; writes fashion_cnn_0-4.pth (a training
checkpoint dict: {"state_dict", "epoch", "classes", "test_accuracy"}) beside this script.
Deterministic: fixed seeds, one thread. Run: /usr/bin/python3 notebooks/data/pretrain_fashion.py
"""
import gzip, os, sys
import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class SmallCNN(nn.Module):
    """conv-bn-relu-pool ×2, then a 64-unit hidden layer on the flattened 7×7 map, then the head."""

    def __init__(self, num_classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 7 * 7, 64)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.pool(torch.relu(self.bn2(self.conv2(x))))
        x = torch.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc(x)


def subset(images, labels, classes):
    keep = np.isin(labels, classes)
    x = torch.tensor(images[keep], dtype=torch.float32).unsqueeze(1) / 255.0
    y = torch.tensor(labels[keep].astype(np.int64) - min(classes))
    return x, y


def main(epochs=3):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    classes = [0, 1, 2, 3, 4]
    x, y = subset(idx("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz"), classes)
    xt, yt = subset(idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz"), classes)
    model = SmallCNN(len(classes))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x[b]), y[b])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            acc = (model(xt).argmax(1) == yt).float().mean().item()
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, test accuracy on classes 0-4 {acc:.3f}", file=sys.stderr)
    out = os.path.join(HERE, "fashion_cnn_0-4.pth")
    torch.save({"state_dict": model.state_dict(), "epoch": epochs, "classes": classes, "test_accuracy": round(acc, 4)}, out)
    print(out)


if __name__ == "__main__":
    main()
