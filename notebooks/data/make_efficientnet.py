"""Writes a torchvision efficientnet_b0 checkpoint with RANDOM weights (no network here to
download ImageNet's) for notebooks/07-efficientnet.ipynb, plus an input image and the logits torch
computes for it, into notebooks/data/generated/:

  efficientnet_b0.pth            state dict, as torchvision's pretrained files are
  efficientnet_b0_input.npy      one 224x224 RGB input, NHWC float32 (tfjs's layout)
  efficientnet_b0_logits.npy     torch's output for it, eval mode, shape (1, 1000)

BatchNorm statistics and affine parameters are randomised too, so the comparison exercises them.
Run: /usr/bin/python3 notebooks/data/make_efficientnet.py
"""
import os

import numpy as np
import torch
import torchvision

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    model = torchvision.models.efficientnet_b0()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
            if isinstance(m, torch.nn.Linear):
                m.bias.uniform_(-0.1, 0.1)
    model.eval()
    x = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        logits = model(x)
    torch.save(model.state_dict(), os.path.join(OUT, "efficientnet_b0.pth"))
    np.save(os.path.join(OUT, "efficientnet_b0_input.npy"), x.permute(0, 2, 3, 1).contiguous().numpy())
    np.save(os.path.join(OUT, "efficientnet_b0_logits.npy"), logits.numpy())
    print(OUT)


if __name__ == "__main__":
    main()
