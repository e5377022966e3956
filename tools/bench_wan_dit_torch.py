#!/usr/bin/env python3
"""PyTorch CPU timing of one Wan DiT forward at the 1.3B Fun-Control shapes (bf16, random weights), the
counterpart of `clearsub bench dit` (issue 5 item 6). Uses DiffSynth 1.1.9's `WanModel` and
`model_fn_wan_video`, as CLEAR does. Setup as in tools/make_wan_dit_fixtures.py (venv tools/.venv-wan).

    tools/.venv-wan/bin/python tools/bench_wan_dit_torch.py --size 480x272x33 --layers 2 [--threads 2]
"""
import argparse
import json
import resource
import time

import torch

import make_wan_dit_fixtures  # noqa: F401  (stubs a broken torchvision before DiffSynth is imported)
from diffsynth.models.wan_video_dit import WanModel
from diffsynth.pipelines.wan_video_new import model_fn_wan_video


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="480x272x33")
    ap.add_argument("--layers", type=int, default=30)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--dtype", default="bf16", choices=["bf16", "f32"])
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    dt = torch.bfloat16 if a.dtype == "bf16" else torch.float32
    w, h, f = map(int, a.size.split("x"))
    lt, lh, lw = (f - 1) // 4 + 1, h // 8, w // 8
    torch.manual_seed(0)
    dit = WanModel(dim=1536, in_dim=48, ffn_dim=8960, out_dim=16, text_dim=4096, freq_dim=256, eps=1e-6,
                   patch_size=(1, 2, 2), num_heads=12, num_layers=a.layers, has_image_input=True,
                   has_ref_conv=True).to(dt).eval()
    x = torch.randn(1, 16, lt, lh, lw, dtype=dt)
    y = torch.randn(1, 32, lt, lh, lw, dtype=dt)
    ctx = torch.randn(1, 512, 4096, dtype=dt)
    clip = torch.zeros(1, 257, 1280, dtype=dt)
    t = torch.tensor([952.0], dtype=dt)
    with torch.no_grad():
        t0 = time.perf_counter()
        model_fn_wan_video(dit=dit, latents=x, timestep=t, context=ctx, clip_feature=clip, y=y)
        secs = time.perf_counter() - t0
    tokens = lt * (lh // 2) * (lw // 2)
    print(json.dumps({"size": a.size, "tokens": tokens, "dtype": a.dtype, "layers_run": a.layers,
                      "threads": torch.get_num_threads(), "seconds_measured": secs,
                      "seconds": secs * 30 / a.layers,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    main()
