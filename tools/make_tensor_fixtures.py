#!/usr/bin/env python3
"""Generates the PyTorch parity fixtures of the Tensor layer (Tests/ClearTensorTests/Fixtures/).

Setup (PyPI only, no extra index):
    python3 -m venv tools/.venv && tools/.venv/bin/pip install torch numpy
Run from the repository root:
    tools/.venv/bin/python tools/make_tensor_fixtures.py

Output: one `<case>.json` per case ({"params": {...}, "tensors": {name: {"shape": [...],
"file": "<case>_<name>.f32"}}}) plus the tensors as raw little-endian float32, row-major.
All inputs are seeded; everything runs in float32 (the RoPE in float64, as Wan does).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ClearTensorTests", "Fixtures")


def save(case, params, tensors):
    meta = {"params": params, "tensors": {}}
    for name, t in tensors.items():
        arr = t.detach().to(torch.float32).contiguous().numpy().astype("<f4")
        fname = f"{case}_{name}.f32"
        arr.tofile(os.path.join(OUT, fname))
        meta["tensors"][name] = {"shape": list(arr.shape), "file": fname}
    with open(os.path.join(OUT, f"{case}.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)


def conv3d_cases(g):
    # Wan-VAE-like causal 3x3x3 conv (time padded only in front) and a strided grouped one.
    x = torch.randn(1, 8, 4, 6, 7, generator=g)
    w = torch.randn(6, 8, 3, 3, 3, generator=g) * 0.2
    b = torch.randn(6, generator=g)
    xp = F.pad(x, (1, 1, 1, 1, 2, 0))  # causal: 2 frames in front, none behind
    save("conv3d_causal", {"stride": [1, 1, 1], "padding": [0, 0, 0], "dilation": [1, 1, 1], "groups": 1},
         {"x": xp, "w": w, "b": b, "y": F.conv3d(xp, w, b)})
    x2 = torch.randn(2, 6, 5, 8, 9, generator=g)
    w2 = torch.randn(4, 3, 3, 2, 3, generator=g) * 0.2
    b2 = torch.randn(4, generator=g)
    save("conv3d_strided", {"stride": [2, 1, 2], "padding": [1, 0, 1], "dilation": [1, 2, 1], "groups": 2},
         {"x": x2, "w": w2, "b": b2, "y": F.conv3d(x2, w2, b2, stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1), groups=2)})


def group_norm_case(g):
    x = torch.randn(2, 12, 3, 5, 6, generator=g) * 3 + 1
    w = torch.randn(12, generator=g)
    b = torch.randn(12, generator=g)
    save("group_norm", {"groups": 4, "eps": 1e-6}, {"x": x, "w": w, "b": b, "y": F.group_norm(x, 4, w, b, eps=1e-6)})


def attention_case(g):
    # q/k/v in Wan's [B, N, heads, headDim] layout; SDPA wants [B, heads, N, headDim].
    q = torch.randn(1, 77, 2, 64, generator=g)
    k = torch.randn(1, 50, 2, 64, generator=g) * 2
    v = torch.randn(1, 50, 2, 64, generator=g)
    o = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)).transpose(1, 2)
    save("attention", {}, {"q": q, "k": k, "v": v, "o": o})


def rope_params(max_seq_len, dim, theta=10000):
    # Wan2.1 rope_params: float64 frequencies, complex128 polar form.
    freqs = torch.outer(torch.arange(max_seq_len), 1.0 / torch.pow(theta, torch.arange(0, dim, 2).to(torch.float64).div(dim)))
    return torch.polar(torch.ones_like(freqs), freqs)


def rope_case(g):
    f, h, w, heads, d = 3, 4, 5, 2, 128
    freqs = torch.cat([rope_params(1024, d - 4 * (d // 6)), rope_params(1024, 2 * (d // 6)), rope_params(1024, 2 * (d // 6))], dim=1)
    c = d // 2
    fr = freqs.split([c - 2 * (c // 3), c // 3, c // 3], dim=1)
    x = torch.randn(1, f * h * w, heads, d, generator=g)
    xc = torch.view_as_complex(x[0].to(torch.float64).reshape(f * h * w, heads, -1, 2))
    table = torch.cat([
        fr[0][:f].view(f, 1, 1, -1).expand(f, h, w, -1),
        fr[1][:h].view(1, h, 1, -1).expand(f, h, w, -1),
        fr[2][:w].view(1, 1, w, -1).expand(f, h, w, -1),
    ], dim=-1).reshape(f * h * w, 1, -1)
    y = torch.view_as_real(xc * table).flatten(2).unsqueeze(0).float()
    save("rope3d", {"frames": f, "height": h, "width": w, "heads": heads, "headDim": d}, {"x": x, "y": y})


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1234)
    conv3d_cases(g)
    group_norm_case(g)
    attention_case(g)
    rope_case(g)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote fixtures to {os.path.normpath(OUT)} ({total} bytes), torch {torch.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
