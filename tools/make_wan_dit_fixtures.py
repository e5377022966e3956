#!/usr/bin/env python3
"""Writes the Wan DiT parity fixtures of Tests/ClearWanTests/Fixtures/dit (issue 5; spec §13 items 1, 2, 5).

Reference: DiffSynth-Studio 1.1.9 (PyPI wheel `diffsynth==1.1.9`, byte-identical to tag v1.1.9), float32, CPU:
  * `diffsynth.models.wan_video_dit.WanModel` with the Fun-Control layout (in_dim 48, has_image_input,
    has_ref_conv), tiny random weights, run through `diffsynth.pipelines.wan_video_new.model_fn_wan_video`
    (with and without the temporal sliding window `TemporalTiler_BCTHW`);
  * the CLEAR LoRA applied unmerged (y = W x + b + s·B(A x)) on the PEFT-matched modules
    (q, k, v, o, ffn.0, ffn.2), checkpoint in CLEAR's container ({"model_state_dict": …, "temporal_loss_weight"});
  * `diffsynth.schedulers.flow_match.FlowMatchScheduler(shift=5, sigma_min=0.0, extra_one_step=True)`.

Setup (the normal route is plain PyPI torch; on this build machine the CPU wheel sits in /opt/wheels):

    python3 -m venv tools/.venv-wan
    tools/.venv-wan/bin/pip install torch "diffsynth==1.1.9" "transformers<4.50" safetensors numpy
    #   or: tools/.venv-wan/bin/pip install /opt/wheels/torch-*.whl "diffsynth==1.1.9" "transformers<4.50" safetensors numpy
    tools/.venv-wan/bin/python tools/make_wan_dit_fixtures.py

Size: the img_emb MLP has a hard-coded 1280×1280 linear (6.5 MB in float32). To keep the fixtures under
2 MB that one tensor, `img_emb.proj.1.weight`, is not stored: it is defined by an integer formula that the
Swift test rebuilds exactly (`synth_clip_proj` below): W[o, i] = float32(((o·131 + i·71) mod 199 − 99) / 4950).
"""
import json
import os
from collections import OrderedDict

import importlib.machinery
import sys
import types

import numpy as np
import torch
from safetensors.torch import save_file


def _placeholder(module, attr):
    if attr.startswith("_"):
        raise AttributeError(attr)
    return type(attr, (), {"__module__": module})  # a placeholder class, never instantiated on this path


def _stub_torchvision_if_broken():
    """DiffSynth imports torchvision only for its CLIP image encoder, which this path never runs. A torchvision
    wheel built for CUDA torch fails to load next to the CPU wheel; replace it by an empty stub then."""
    try:
        import torchvision.transforms  # noqa: F401
        return
    except Exception:
        for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
            del sys.modules[name]
    for name in ("torchvision", "torchvision.transforms"):
        module = types.ModuleType(name)
        module.__spec__ = importlib.machinery.ModuleSpec(name, None)
        module.__path__ = []
        module.__getattr__ = lambda attr, _n=name: _placeholder(_n, attr)
        sys.modules[name] = module
    sys.modules["torchvision"].transforms = sys.modules["torchvision.transforms"]


_stub_torchvision_if_broken()

from diffsynth.models.wan_video_dit import WanModel, sinusoidal_embedding_1d
from diffsynth.pipelines.wan_video_new import model_fn_wan_video, TemporalTiler_BCTHW
from diffsynth.schedulers.flow_match import FlowMatchScheduler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ClearWanTests", "Fixtures", "dit")

CONFIG = dict(dim=64, in_dim=48, ffn_dim=128, out_dim=16, text_dim=32, freq_dim=32, eps=1e-6,
              patch_size=(1, 2, 2), num_heads=2, num_layers=2, has_image_input=True, has_ref_conv=True)
LATENT = (3, 8, 12)          # F, H, W in latent units -> tokens 3 × 4 × 6 = 72
TEXT_LEN, TEXT_REAL = 512, 20
TARGETS = ["q", "k", "v", "o", "ffn.0", "ffn.2"]
LORA_RANK = 4


def synth_clip_proj(out_features, in_features):
    o = np.arange(out_features, dtype=np.int64)[:, None]
    i = np.arange(in_features, dtype=np.int64)[None, :]
    v = ((o * 131 + i * 71) % 199 - 99).astype(np.float64) / 4950.0
    return torch.from_numpy(v.astype(np.float32))


def make_weights(model, rng):
    sd = OrderedDict()
    for key, t in model.state_dict().items():
        shape = tuple(t.shape)
        if key == "img_emb.proj.1.weight":
            v = synth_clip_proj(*shape)
        elif key.endswith("modulation"):
            v = torch.from_numpy(rng.normal(0, 1, shape).astype(np.float32) / np.sqrt(CONFIG["dim"]))
        elif len(shape) == 1 and ("norm" in key or key.startswith("img_emb.proj.0") or key.startswith("img_emb.proj.4")) and key.endswith("weight"):
            v = torch.from_numpy((1 + rng.normal(0, 0.1, shape)).astype(np.float32))
        elif len(shape) == 1:  # biases (and LayerNorm biases)
            v = torch.from_numpy(rng.normal(0, 0.02, shape).astype(np.float32))
        else:
            v = torch.from_numpy(rng.normal(0, 0.05, shape).astype(np.float32))
        sd[key] = v.contiguous()
    return sd


def pe_matched(name):
    return any(name == t or name.endswith("." + t) for t in TARGETS)


def main():
    os.makedirs(os.path.join(OUT, "model"), exist_ok=True)
    torch.manual_seed(0)
    rng = np.random.default_rng(20251125)
    dit = WanModel(**CONFIG).eval()
    sd = make_weights(dit, rng)
    dit.load_state_dict(sd, strict=True)

    # Weights: two shards + index (the real names), minus the synthesised 1280×1280 matrix.
    keys = [k for k in sd if k != "img_emb.proj.1.weight"]
    half = len(keys) // 2
    shards = {"diffusion_pytorch_model-00001-of-00002.safetensors": keys[:half],
              "diffusion_pytorch_model-00002-of-00002.safetensors": keys[half:]}
    weight_map = {}
    for name, ks in shards.items():
        save_file({k: sd[k] for k in ks}, os.path.join(OUT, "model", name))
        weight_map.update({k: name for k in ks})
    with open(os.path.join(OUT, "model", "diffusion_pytorch_model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"note": "img_emb.proj.1.weight is synthesised, see tools/make_wan_dit_fixtures.py"},
                   "weight_map": weight_map}, f, indent=1, sort_keys=True)

    F, H, W = LATENT
    io = OrderedDict()
    latents = torch.from_numpy(rng.normal(0, 1, (1, 16, F, H, W)).astype(np.float32))
    y = torch.cat([torch.from_numpy(rng.normal(0, 1, (1, 16, F, H, W)).astype(np.float32)),
                   torch.zeros(1, 16, F, H, W)], dim=1)
    context = torch.from_numpy(rng.normal(0, 1, (1, TEXT_LEN, CONFIG["text_dim"])).astype(np.float32))
    context[:, TEXT_REAL:] = 0
    clip = torch.zeros(1, 257, 1280)
    io["latents"], io["y"], io["context"] = latents, y, context

    def call(t, **kw):
        with torch.no_grad():
            return model_fn_wan_video(dit=dit, latents=latents, timestep=torch.tensor([t], dtype=torch.float32),
                                      context=context, clip_feature=clip, y=y, **kw)

    # Time embedding, RoPE table, per-block outputs, full output at t = 1000.
    with torch.no_grad():
        t = dit.time_embedding(sinusoidal_embedding_1d(CONFIG["freq_dim"], torch.tensor([1000.0])))
        io["t1000.t_emb"] = t
        io["t1000.t_mod"] = dit.time_projection(t).unflatten(1, (6, CONFIG["dim"]))
        io["c_img_row0"] = dit.img_emb(clip)[:, :1]
        io["c_txt"] = dit.text_embedding(context)
    f, h, w = F, H // 2, W // 2
    freqs = torch.cat([dit.freqs[0][:f].view(f, 1, 1, -1).expand(f, h, w, -1),
                       dit.freqs[1][:h].view(1, h, 1, -1).expand(f, h, w, -1),
                       dit.freqs[2][:w].view(1, 1, w, -1).expand(f, h, w, -1)], dim=-1).reshape(f * h * w, -1)
    io["rope.cos"], io["rope.sin"] = freqs.real.float(), freqs.imag.float()
    blocks = []
    hooks = [b.register_forward_hook(lambda m, i, o: blocks.append(o.detach().clone())) for b in dit.blocks]
    io["t1000.out"] = call(1000.0)
    for hk in hooks:
        hk.remove()
    for i, b in enumerate(blocks):
        io[f"t1000.block{i}"] = b
    io["t37.5.out"] = call(37.5)
    # Sliding window over the 3 latent frames: size 2, stride 1 -> windows [0,2), [1,3), ramp 0.5.
    io["t952.window2x1.out"] = call(952.0, sliding_window_size=2, sliding_window_stride=1)

    # LoRA: unmerged, on the PEFT-matched linears, for scales 1.0 and 0.5.
    lora = OrderedDict()
    modules = [n for n, m in dit.named_modules() if isinstance(m, torch.nn.Linear) and pe_matched(n)]
    for n in modules:
        m = dit.get_submodule(n)
        lora[n] = (torch.from_numpy(rng.normal(0, 0.1, (LORA_RANK, m.in_features)).astype(np.float32)),
                   torch.from_numpy(rng.normal(0, 0.1, (m.out_features, LORA_RANK)).astype(np.float32)))
    # A pair for a module PEFT does not target (k_img): present in the file, never applied (strict=False).
    extra_a = torch.from_numpy(rng.normal(0, 0.1, (LORA_RANK, CONFIG["dim"])).astype(np.float32))
    extra_b = torch.from_numpy(rng.normal(0, 0.1, (CONFIG["dim"], LORA_RANK)).astype(np.float32))

    def with_lora(scale, t):
        hs = []
        for n, (a, b) in lora.items():
            hs.append(dit.get_submodule(n).register_forward_hook(
                lambda m, i, o, a=a, b=b: o + scale * ((i[0] @ a.T) @ b.T)))
        out = call(t)
        for hk in hs:
            hk.remove()
        return out
    io["t1000.lora1.out"] = with_lora(1.0, 1000.0)
    io["t1000.lora0.5.out"] = with_lora(0.5, 1000.0)

    state = OrderedDict()
    for n, (a, b) in lora.items():
        state[f"pipe.dit.{n}.lora_A.default.weight"] = torch.nn.Parameter(a.clone(), requires_grad=False)
        state[f"pipe.dit.{n}.lora_B.default.weight"] = torch.nn.Parameter(b.clone(), requires_grad=False)
    state["pipe.dit.blocks.0.cross_attn.k_img.lora_A.default.weight"] = extra_a
    state["pipe.dit.blocks.0.cross_attn.k_img.lora_B.default.weight"] = extra_b
    torch.save({"model_state_dict": state, "temporal_loss_weight": 0.25}, os.path.join(OUT, "clear_lora.pt"))
    # The same adapters in bf16, under DDP/compile prefixes, in a `dit_state_dict` wrapper (spec §9.4).
    state16 = OrderedDict((k.replace("pipe.dit.", "module._orig_mod."), v.detach().to(torch.bfloat16)) for k, v in state.items())
    torch.save({"dit_state_dict": state16}, os.path.join(OUT, "clear_lora_bf16.pt"))

    # Scheduler: tables and one step.
    sched = {}
    for n in (1, 2, 5, 20):
        s = FlowMatchScheduler(shift=5, sigma_min=0.0, extra_one_step=True)
        s.set_timesteps(n, denoising_strength=1.0, shift=5.0)
        sched[str(n)] = {"sigmas": s.sigmas.tolist(), "timesteps": s.timesteps.tolist(),
                         "timesteps_bf16": s.timesteps.to(torch.bfloat16).float().tolist()}
        io[f"sched{n}.sigmas"], io[f"sched{n}.timesteps"] = s.sigmas.float(), s.timesteps.float()
    s = FlowMatchScheduler(shift=5, sigma_min=0.0, extra_one_step=True)
    s.set_timesteps(5, denoising_strength=1.0, shift=5.0)
    sample = torch.from_numpy(rng.normal(0, 1, (2, 3, 4)).astype(np.float32))
    vel = torch.from_numpy(rng.normal(0, 1, (2, 3, 4)).astype(np.float32))
    io["step.sample"], io["step.v"] = sample, vel
    io["step.t2.out"] = s.step(vel, s.timesteps[2], sample)
    io["step.t4.out"] = s.step(vel, s.timesteps[4], sample)           # last step: σ_next = 0
    io["step.bf16.t2.out"] = s.step(vel.bfloat16(), s.timesteps[2], sample.bfloat16()).float()

    # Sliding-window plans (latent frames) from TemporalTiler_BCTHW.run with a recording model function.
    windows = {}
    for T, size, stride in ((3, 2, 1), (10, 4, 3), (21, 81, 65), (89, 81, 65), (157, 81, 65), (12, 5, 5)):
        seen = []
        frame = torch.arange(T, dtype=torch.float32).view(1, 1, T, 1, 1).expand(1, 1, T, 1, 1).contiguous()

        def fn(latents, **kw):
            k = len(seen)
            seen.append([int(latents[0, 0, 0, 0, 0]), int(latents[0, 0, -1, 0, 0]) + 1])
            return latents * 0 + (k + 1.0) + latents * 0.01
        blended = TemporalTiler_BCTHW().run(fn, size, stride, "cpu", torch.float32,
                                            model_kwargs={"latents": frame, "y": None}, tensor_names=["latents", "y"])
        tiler = TemporalTiler_BCTHW()
        masks = [tiler.build_1d_mask(e - b, b == 0, e == T, size - stride).tolist() for b, e in seen]
        windows[f"{T}x{size}x{stride}"] = {"frames": T, "size": size, "stride": stride, "windows": seen,
                                            "masks": masks, "blended": blended.flatten().tolist()}

    # bf16 calibration (spec §11, §13): the whole DiT in bf16, inputs and timestep rounded to bf16 (t = 952.38 -> 952).
    import copy
    dit16 = copy.deepcopy(dit).to(torch.bfloat16)
    with torch.no_grad():
        io["bf16.t952.out"] = model_fn_wan_video(dit=dit16, latents=latents.bfloat16(), context=context.bfloat16(),
                                                 timestep=torch.tensor([952.381], dtype=torch.float32).to(torch.bfloat16),
                                                 clip_feature=clip.bfloat16(), y=y.bfloat16()).float()
        io["t952.out"] = call(952.0)

    # CPU torch.randn with a seeded generator (DiffSynth's generate_noise with seed), float32.
    randn = {}
    for seed in (0, 42, 2**32 + 7):
        for shape in ((1, 16, F, H, W), (16,), (17,), (33,)):
            name = f"randn.{seed}.{'x'.join(map(str, shape))}"
            io[name] = torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed), dtype=torch.float32)
            randn[name] = {"seed": seed, "shape": list(shape)}

    # The denoising loop of WanVideoPipeline.__call__ (float32) on given noise, context and y: 2 steps, cfg 1,
    # sliding window 2/1 (two windows over 3 latent frames); then 2 steps with cfg 2.5 and a negative context.
    def loop(noise, steps, cfg, negative=None, **window):
        sch = FlowMatchScheduler(shift=5, sigma_min=0.0, extra_one_step=True)
        sch.set_timesteps(steps, denoising_strength=1.0, shift=5.0)
        lat, trace = noise.clone(), []
        for i, t in enumerate(sch.timesteps):
            ts = t.unsqueeze(0).to(dtype=torch.float32)
            with torch.no_grad():
                v = model_fn_wan_video(dit=dit, latents=lat, timestep=ts, context=context, clip_feature=clip, y=y, **window)
                if cfg != 1.0:
                    vn = model_fn_wan_video(dit=dit, latents=lat, timestep=ts, context=negative, clip_feature=clip, y=y, **window)
                    v = vn + cfg * (v - vn)
            lat = sch.step(v, sch.timesteps[i], lat)
            trace += [v, lat]
        return trace
    noise = io["randn.42.1x16x3x8x12"]
    for i, tensor in enumerate(loop(noise, 2, 1.0, sliding_window_size=2, sliding_window_stride=1)):
        io[f"loop.{'v' if i % 2 == 0 else 'latents'}{i // 2}"] = tensor
    negative = torch.zeros_like(context)
    negative[:, :3] = torch.from_numpy(rng.normal(0, 1, (1, 3, CONFIG["text_dim"])).astype(np.float32))
    io["cfg.negative_context"] = negative
    for i, tensor in enumerate(loop(noise, 2, 2.5, negative)):
        io[f"cfg.{'v' if i % 2 == 0 else 'latents'}{i // 2}"] = tensor

    save_file({k: v.contiguous().float() for k, v in io.items()}, os.path.join(OUT, "io.safetensors"))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"config": {**CONFIG, "patch_size": list(CONFIG["patch_size"])}, "latent": list(LATENT),
                   "text_len": TEXT_LEN, "lora_rank": LORA_RANK, "lora_modules": modules,
                   "scheduler": sched, "windows": windows, "randn": randn,
                   "clip_proj_formula": "((o*131 + i*71) % 199 - 99) / 4950"}, f, indent=1)
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(OUT) for fn in fns)
    print(f"wrote {OUT} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
