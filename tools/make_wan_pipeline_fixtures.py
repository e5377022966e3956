#!/usr/bin/env python3
"""Writes the full-pipeline parity fixture of Tests/ClearWanTests/Fixtures/pipeline (issue 6; spec §13 item 7).

Reference: CLEAR's inference path (silent-commit/CLEAR d2a99b0, spec §2) on DiffSynth-Studio 1.1.9
(`diffsynth.pipelines.wan_video_new.WanVideoPipeline`, PyPI wheel diffsynth==1.1.9), float32, CPU:
  * CLEAR pre-processing: target size (§2.1: cap 1280·720, multiples of 16, short side ≤ 720), cover
    resize with PIL BILINEAR (what torchvision's resize does on a PIL image), centre crop (§2.2);
  * the pipeline: prompt → tokenizer → UMT5 → context with zero padding rows; Fun-Control unit (tiled VAE
    encode, y = [control | zeros], zero CLIP feature); noise from seed 42; 2 flow-match steps through
    `model_fn_wan_video` with the temporal sliding window; tiled VAE decode; `vae_output_to_video`.

Models (tiny, random, loaded by the Swift test through the same code as the real ones):
  * DiT: the Fun-Control fixture of make_wan_dit_fixtures.py (Fixtures/dit/model, plus its formula-defined
    img_emb.proj.1.weight), with the CLEAR LoRA Fixtures/dit/clear_lora.pt applied unmerged, scale 1;
  * VAE: Fixtures/vae/tiny_wan_vae.pth (make_wan_vae_t5_fixtures.py);
  * UMT5: written here (text dim 32 to match the DiT), bf16 values, as models_t5_umt5-xxl-enc-bf16.pth;
  * tokenizer: Fixtures/t5/tiny_unigram.model through transformers' T5TokenizerFast (as AutoTokenizer loads
    google/umt5-xxl), called by DiffSynth's HuggingfaceTokenizer(seq_len=512, clean='whitespace').

Setup: see make_wan_dit_fixtures.py (the same tools/.venv-wan, plus `sentencepiece protobuf`); then
    tools/.venv-wan/bin/python tools/make_wan_pipeline_fixtures.py
Everything is seeded; re-running gives the same files.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import transformers.utils.import_utils  # noqa: E402,F401  (probes torchvision before a stub can exist)
import make_wan_dit_fixtures as ditfx  # noqa: E402  (stubs torchvision when needed, then imports diffsynth)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import save_file, load_file  # noqa: E402

from diffsynth.models.wan_video_dit import WanModel  # noqa: E402
from diffsynth.models.wan_video_vae import WanVideoVAE, VideoVAE_  # noqa: E402
from diffsynth.models.wan_video_text_encoder import WanTextEncoder  # noqa: E402
from diffsynth.pipelines.wan_video_new import WanVideoPipeline  # noqa: E402
from diffsynth.prompters.wan_prompter import HuggingfaceTokenizer  # noqa: E402

torch.set_num_threads(2)
FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ClearWanTests", "Fixtures")
OUT = os.path.join(FIX, "pipeline")
PROMPT = ("Remove the text overlays and subtitles from this video while preserving the original background "
          "content and maintaining temporal consistency across frames.")
SOURCE = (52, 36, 9)                 # W, H, frames of the source clip (model size 48×32 after CLEAR's rule)
TILE = dict(tile_size=(2, 4), tile_stride=(1, 2))   # latent 4×6 → 3×2 tiles
WINDOW = dict(sliding_window_size=2, sliding_window_stride=1)  # latent 3 frames → windows [0,2), [1,3)
SEED, STEPS = 42, 2


def clear_target(w0, h0):
    """CLEAR inference.py's target size (spec §2.1)."""
    h, w = h0, w0
    if w0 * h0 > 1280 * 720:
        s = ((w0 * h0) / (1280 * 720)) ** 0.5
        h, w = int(h0 / s), int(w0 / s)
    h, w = h // 16 * 16, w // 16 * 16
    if h0 > w0:
        if w > 720:
            h, w = int(h * 720 / w) // 16 * 16, 720
    elif h > 720:
        w, h = int(w * 720 / h) // 16 * 16, 720
    return w, h


def clear_preprocess(frame, tw, th):
    """Cover resize (PIL bilinear) + centre crop (spec §2.2)."""
    w0, h0 = frame.size
    if (w0, h0) == (tw, th):
        return frame
    s = max(tw / w0, th / h0)
    nh, nw = round(h0 * s), round(w0 * s)
    r = frame.resize((nw, nh), Image.BILINEAR)
    top, left = int(round((nh - th) / 2)), int(round((nw - tw) / 2))
    return r.crop((left, top, left + tw, top + th))


def source_frames():
    """A moving gradient with a bright bar (a stand-in subtitle) and seeded noise."""
    w, h, t = SOURCE
    rng = np.random.RandomState(7)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    out = []
    for i in range(t):
        r = 128 + 100 * np.sin((x + 3 * i) / 9.0)
        g = 128 + 100 * np.cos((y - 2 * i) / 7.0)
        b = 64 + 2 * x + y
        img = np.stack([r, g, b], -1) + rng.normal(0, 12, (h, w, 3))
        img[h - 10:h - 5, 8:w - 8] = 240
        out.append(np.clip(img, 0, 255).astype(np.uint8))
    return np.stack(out)


def make_dit():
    sd = {}
    for name in sorted(os.listdir(os.path.join(FIX, "dit", "model"))):
        if name.endswith(".safetensors"):
            sd.update(load_file(os.path.join(FIX, "dit", "model", name)))
    sd["img_emb.proj.1.weight"] = ditfx.synth_clip_proj(1280, 1280)
    dit = WanModel(**ditfx.CONFIG).eval().requires_grad_(False)
    dit.load_state_dict(sd, strict=True)
    # CLEAR's LoRA, unmerged (y = W x + b + s·B(A x)) on the PEFT-matched linears, s = 1.
    state = torch.load(os.path.join(FIX, "dit", "clear_lora.pt"), weights_only=True)["model_state_dict"]
    hooks = 0
    for key in state:
        if ".lora_A." not in key:
            continue
        module = key.replace("pipe.dit.", "").split(".lora_A.")[0]
        if not ditfx.pe_matched(module):
            continue
        a = state[key].float()
        b = state[key.replace(".lora_A.", ".lora_B.")].float()
        dit.get_submodule(module).register_forward_hook(lambda m, i, o, a=a, b=b: o + (i[0] @ a.T) @ b.T)
        hooks += 1
    return dit, hooks


def make_vae():
    vae = WanVideoVAE()
    vae.model = VideoVAE_(dim=6, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, attn_scales=[],
                          temperal_downsample=[False, True, True], dropout=0.0).eval().requires_grad_(False)
    sd = torch.load(os.path.join(FIX, "vae", "tiny_wan_vae.pth"), weights_only=True)
    vae.model.load_state_dict({k: v.float() for k, v in sd.items()}, strict=True)
    return vae


def make_t5(vocab):
    torch.manual_seed(0)
    model = WanTextEncoder(vocab=vocab, dim=32, dim_attn=32, dim_ffn=64, num_heads=4, num_layers=2,
                           num_buckets=32, shared_pos=False, dropout=0.0).eval().requires_grad_(False)
    rng = np.random.RandomState(606)
    sd = {}
    for name, p in model.state_dict().items():
        if "norm" in name:
            v = 1.0 + rng.normal(0, 0.1, p.shape)
        elif "pos_embedding" in name:
            v = rng.normal(0, 0.5, p.shape)
        elif "token_embedding" in name:
            v = rng.normal(0, 1.0, p.shape)
        else:
            v = rng.normal(0, 1.0 / np.sqrt(p.shape[1]), p.shape)
        sd[name] = torch.from_numpy(v.astype(np.float32)).to(torch.bfloat16)  # the real file is bf16 too
    model.load_state_dict({k: v.float() for k, v in sd.items()}, strict=True)
    torch.save(sd, os.path.join(OUT, "models_t5_umt5-xxl-enc-bf16.pth"))
    return model


def make_tokenizer():
    from transformers import T5TokenizerFast
    import sentencepiece as spm
    model = os.path.join(FIX, "t5", "tiny_unigram.model")
    tok = HuggingfaceTokenizer.__new__(HuggingfaceTokenizer)  # what WanPrompter builds, minus from_pretrained
    tok.name, tok.seq_len, tok.clean = "google/umt5-xxl", 512, "whitespace"
    tok.tokenizer = T5TokenizerFast(vocab_file=model, extra_ids=0, add_prefix_space=True, from_slow=True)
    tok.vocab_size = tok.tokenizer.vocab_size
    sp = spm.SentencePieceProcessor(model_file=model)
    return tok, sp.get_piece_size()


def run(pipe, frames, tiled):
    rec = {"latents": [], "control": None, "noise": None, "context": None}
    enc, step, gen = pipe.vae.encode, pipe.scheduler.step, pipe.generate_noise

    def encode(*a, **k):
        rec["control"] = enc(*a, **k)
        return rec["control"]

    def sched(*a, **k):
        out = step(*a, **k)
        rec["latents"].append(out.clone())
        return out

    def noise(*a, **k):
        rec["noise"] = gen(*a, **k)
        return rec["noise"]
    pipe.vae.encode, pipe.scheduler.step, pipe.generate_noise = encode, sched, noise
    encode_prompt = pipe.prompter.encode_prompt

    def prompt(*a, **k):
        rec["context"] = encode_prompt(*a, **k)
        return rec["context"]
    pipe.prompter.encode_prompt = prompt
    w, h = frames[0].size
    kwargs = dict(prompt=PROMPT, control_video=frames, height=h, width=w, num_frames=len(frames),
                  num_inference_steps=STEPS, cfg_scale=1.0, seed=SEED)
    if tiled:
        kwargs.update(tiled=True, **TILE, **WINDOW)
    else:
        kwargs.update(tiled=False)
    with torch.no_grad():
        video = pipe(**kwargs)
    pipe.vae.encode, pipe.scheduler.step, pipe.generate_noise = enc, step, gen
    pipe.prompter.encode_prompt = encode_prompt
    return rec, np.stack([np.array(f) for f in video])


def main():
    os.makedirs(OUT, exist_ok=True)
    src = source_frames()
    tw, th = clear_target(SOURCE[0], SOURCE[1])
    model_frames = [clear_preprocess(Image.fromarray(f), tw, th) for f in src]
    tok, pieces = make_tokenizer()
    dit, hooks = make_dit()
    pipe = WanVideoPipeline(device="cpu", torch_dtype=torch.float32)
    pipe.dit, pipe.vae = dit, make_vae()
    pipe.text_encoder = make_t5(vocab=1024)
    assert pieces <= 1024
    pipe.prompter.fetch_models(pipe.text_encoder)
    pipe.prompter.tokenizer = tok
    if not hasattr(pipe, "audio_encoder"):
        pipe.audio_encoder = None
    ids, mask = tok(PROMPT, return_mask=True, add_special_tokens=True)
    length = int(mask.sum())

    tiled, out_tiled = run(pipe, model_frames, tiled=True)
    plain, out_plain = run(pipe, model_frames, tiled=False)
    io = {
        "source": torch.from_numpy(src),                                   # [T, H0, W0, 3] uint8
        "model_input": torch.from_numpy(np.stack([np.array(f) for f in model_frames])),  # after CLEAR resize+crop
        "ids": ids[0, :length].to(torch.int32),
        "context": tiled["context"][0, :length].float().contiguous(),     # rows ≥ length are 0
        "noise": tiled["noise"].float().contiguous(),
        "control_tiled": tiled["control"].float().contiguous(),
        "latents_tiled_step0": tiled["latents"][0].float().contiguous(),
        "latents_tiled_step1": tiled["latents"][1].float().contiguous(),
        "output_tiled": torch.from_numpy(out_tiled),                       # [T, H, W, 3] uint8
        "control_plain": plain["control"].float().contiguous(),
        "latents_plain_step1": plain["latents"][1].float().contiguous(),
        "output_plain": torch.from_numpy(out_plain),
    }
    assert torch.equal(tiled["noise"], plain["noise"])
    save_file({k: v.contiguous() for k, v in io.items()}, os.path.join(OUT, "io.safetensors"))
    meta = {"prompt": PROMPT, "seed": SEED, "steps": STEPS, "source": list(SOURCE), "model_size": [tw, th],
            "tile_size": list(TILE["tile_size"]), "tile_stride": list(TILE["tile_stride"]),
            "sliding_window": [WINDOW["sliding_window_size"], WINDOW["sliding_window_stride"]],
            "lora_modules": hooks, "lora_scale": 1.0, "text_length": length}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(meta, f, indent=1)
    for k, v in io.items():
        print(f"  {k:22s} {list(v.shape)} {v.dtype}")
    print(f"  model size {tw}x{th}, {hooks} LoRA modules, prompt length {length}")


if __name__ == "__main__":
    main()
