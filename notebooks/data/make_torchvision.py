"""Writes a torchvision resnet18 checkpoint with RANDOM weights (not ImageNet weights: this
machine has no network to download those) for notebooks/03-torchvision.ipynb, plus an input
image and the logits torch computes for it, into notebooks/data/generated/:

  resnet18.pth            state dict, as torchvision's pretrained files are
  resnet18_input.npy      one 224x224 RGB input, NHWC float32 (tfjs's layout)
  resnet18_logits.npy     torch's output for it, eval mode, shape (1, 1000)
  convnext_tiny.pth, convnext_tiny_input.npy (one 64x64 input), convnext_tiny_logits.npy
                          the same for a convnext_tiny (LayerNorm affine and layer scales
                          randomised too: torchvision's 1e-6 layer scale would hide every block)

BatchNorm statistics are randomised too, so that the comparison exercises them.
Run: /usr/bin/python3 notebooks/data/make_torchvision.py
"""
import os
import numpy as np
import torch
import torchvision

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generated")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    model = torchvision.models.resnet18()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    model.eval()
    x = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        logits = model(x)
    torch.save(model.state_dict(), os.path.join(OUT, "resnet18.pth"))
    np.save(os.path.join(OUT, "resnet18_input.npy"), x.permute(0, 2, 3, 1).contiguous().numpy())
    np.save(os.path.join(OUT, "resnet18_logits.npy"), logits.numpy())

    torch.manual_seed(0)
    convnext = torchvision.models.convnext_tiny()
    with torch.no_grad():
        for m in convnext.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
            if hasattr(m, "layer_scale"):
                m.layer_scale.uniform_(0.5, 1.5)
    convnext.eval()
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        logits = convnext(x)
    torch.save(convnext.state_dict(), os.path.join(OUT, "convnext_tiny.pth"))
    np.save(os.path.join(OUT, "convnext_tiny_input.npy"), x.permute(0, 2, 3, 1).contiguous().numpy())
    np.save(os.path.join(OUT, "convnext_tiny_logits.npy"), logits.numpy())
    print(OUT)


if __name__ == "__main__":
    main()
