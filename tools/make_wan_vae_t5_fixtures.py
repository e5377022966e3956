#!/usr/bin/env python3
"""Parity fixtures for the Wan VAE, the UMT5 text encoder and the SentencePiece unigram tokenizer
(ClearWanTests: Tests/ClearWanTests/Fixtures/vae/ and Tests/ClearWanTests/Fixtures/t5/).

Reference: DiffSynth-Studio 1.1.9 (spec shared/spec/wan-clear-reference.md §3, §4, §13):
  diffsynth.models.wan_video_vae.WanVideoVAE / VideoVAE_      (encode, decode, tiled_encode, tiled_decode)
  diffsynth.models.wan_video_text_encoder.WanTextEncoder       (UMT5 encoder)
  diffsynth.prompters.wan_prompter.HuggingfaceTokenizer        (clean='whitespace', pad to 512, eos)
  transformers.T5TokenizerFast built from a SentencePiece unigram .model (the real google/umt5-xxl
  tokenizer cannot be had offline, so a small unigram model is trained here on text written below).

Environment (CPU only):
  python3 -m venv tools/.venv-wan
  tools/.venv-wan/bin/pip install torch "diffsynth==1.1.9" "transformers<4.50" sentencepiece safetensors numpy protobuf
  (on the build machine the CPU torch wheel is installed from /opt/wheels/torch-*.whl instead of `torch`)
  tools/.venv-wan/bin/python tools/make_wan_vae_t5_fixtures.py

Everything is float32 and seeded; re-running gives the same files.
"""
import html
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ClearWanTests", "Fixtures")
VAE_DIR = os.path.join(ROOT, "vae")
T5_DIR = os.path.join(ROOT, "t5")

torch.set_num_threads(2)

try:  # diffsynth imports torchvision for the (unused) CLIP image encoder; a PyPI torchvision built for
    import torchvision  # noqa: F401  another torch fails at import, so uninstall it and use this stub.
except Exception:
    import types
    import transformers.utils.import_utils  # noqa: F401  (probes torchvision before the stub exists)

    class _Stub(types.ModuleType):  # any attribute is a placeholder class (never called on this path)
        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return type(name, (), {})

    _tv = _Stub("torchvision")
    _tv.transforms = _Stub("torchvision.transforms")
    sys.modules["torchvision"] = _tv
    sys.modules["torchvision.transforms"] = _tv.transforms


def seeded_normal(rng, shape, std):
    return torch.from_numpy(rng.normal(0.0, std, size=shape).astype(np.float32))


# --------------------------------------------------------------------------------------------- VAE
def make_vae():
    from diffsynth.models.wan_video_vae import WanVideoVAE, VideoVAE_

    vae = WanVideoVAE()
    # Real structure (dim_mult, res blocks, attention in the middle, time compression), base dim 6
    # instead of 96 (fixture size): channels 6, 12, 24, 24; z_dim 16 as the real model.
    vae.model = VideoVAE_(dim=6, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2, attn_scales=[],
                          temperal_downsample=[False, True, True], dropout=0.0).eval().requires_grad_(False)
    rng = np.random.RandomState(1234)
    sd = {}
    for name, p in vae.model.state_dict().items():
        if name.endswith("gamma"):
            v = 1.0 + seeded_normal(rng, p.shape, 0.1)
        elif name.endswith("bias"):
            v = seeded_normal(rng, p.shape, 0.05)
        else:
            fan_in = int(np.prod(p.shape[1:]))
            v = seeded_normal(rng, p.shape, 1.0 / np.sqrt(fan_in))
        # Weights are stored as bf16 (keeps the fixture small and exercises bf16 loading); the model
        # runs in float32 on exactly the bf16-representable values.
        sd[name] = v.to(torch.bfloat16)
    vae.model.load_state_dict({k: v.float() for k, v in sd.items()}, strict=True)
    torch.save(sd, os.path.join(VAE_DIR, "tiny_wan_vae.pth"))
    return vae


def run_vae(vae):
    rng = np.random.RandomState(99)
    out = {}
    # Video [1,3,10,32,48] in [-1,1]; the 9- and 1-frame inputs are its prefixes, the 10-frame one
    # checks the silent drop of frames beyond 1+4k (§4.3).
    video = torch.from_numpy(rng.uniform(-1, 1, size=(1, 3, 10, 32, 48)).astype(np.float32))
    out["video"] = video
    with torch.no_grad():
        out["enc_t9"] = vae.encode([video[0, :, :9]], device="cpu")
        out["enc_t1"] = vae.encode([video[0, :, :1]], device="cpu")
        out["enc_t10"] = vae.encode([video[0]], device="cpu")
        # tiled encode: tile (2,4) stride (1,2) latent = pixel (16,32) stride (8,16) -> 3x2 tiles
        out["enc_t9_tiled"] = vae.encode([video[0, :, :9]], device="cpu", tiled=True, tile_size=(2, 4), tile_stride=(1, 2))

        z = torch.from_numpy(rng.normal(0, 1, size=(1, 16, 3, 4, 6)).astype(np.float32))
        out["latent"] = z
        # capture the decoder tensor after each upsample3d (checks the closed forms of §4.1)
        captured = {}
        hooks = []
        for idx in (3,):
            mod = vae.model.decoder.upsamples[idx]

            def hook(m, inp, o, idx=idx):
                captured.setdefault(idx, []).append(o.clone())
            hooks.append(mod.register_forward_hook(hook))
        out["dec_raw"] = vae.model.decode(z, vae.scale)  # unclamped model output
        for h in hooks:
            h.remove()
        for idx, chunks in captured.items():
            out[f"dec_up{idx}"] = torch.cat(chunks, dim=2)
        assert torch.equal(vae.decode([z[0]], device="cpu"), out["dec_raw"].clamp(-1, 1))  # clamped = clamp(raw)
        out["dec_t1"] = vae.decode([z[0, :, :1]], device="cpu")
        out["dec_tiled"] = vae.decode([z[0]], device="cpu", tiled=True, tile_size=(2, 4), tile_stride=(1, 2))
    out = {k: v.contiguous().float() for k, v in out.items()}
    # bf16 run (CLEAR's torch_dtype): the same model and inputs in bfloat16, stored as bf16
    vae.model.to(torch.bfloat16)
    with torch.no_grad():
        out["bf16_enc_t5"] = vae.encode([out["video"][0, :, :5].to(torch.bfloat16)], device="cpu").to(torch.bfloat16)
        out["bf16_dec"] = vae.model.decode(out["latent"].to(torch.bfloat16), vae.scale).to(torch.bfloat16)
    vae.model.float()
    out = {k: v.contiguous() for k, v in out.items()}
    save_file(out, os.path.join(VAE_DIR, "tiny_wan_vae_io.safetensors"))
    for k, v in out.items():
        frac = float((v.abs() >= 1).float().mean())
        print(f"  vae {k:14s} {list(v.shape)} std {float(v.std()):.4f} |x|>=1: {frac:.3f}")


# ---------------------------------------------------------------------------------------------- T5
def make_t5():
    from diffsynth.models.wan_video_text_encoder import WanTextEncoder

    torch.manual_seed(0)
    model = WanTextEncoder(vocab=512, dim=64, dim_attn=64, dim_ffn=128, num_heads=4, num_layers=2,
                           num_buckets=32, shared_pos=False, dropout=0.0).eval().requires_grad_(False)
    rng = np.random.RandomState(4321)
    sd = model.state_dict()
    for name, p in sd.items():
        if "norm" in name:
            p.copy_(1.0 + seeded_normal(rng, p.shape, 0.1))
        elif "pos_embedding" in name:
            p.copy_(seeded_normal(rng, p.shape, 0.5))  # large enough that a wrong bucket shows
        elif "token_embedding" in name:
            p.copy_(seeded_normal(rng, p.shape, 1.0))
        else:
            p.copy_(seeded_normal(rng, p.shape, 1.0 / np.sqrt(p.shape[1])))
    torch.save(model.state_dict(), os.path.join(T5_DIR, "tiny_umt5.pth"))

    ids = np.zeros((1, 512), dtype=np.int64)
    ids[0, :19] = rng.randint(4, 512, size=19)
    ids[0, 19] = 1
    mask = (np.arange(512) < 20).astype(np.int64)[None]
    ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
    with torch.no_grad():
        raw = model(ids_t, mask_t)
    rel = torch.arange(-511, 512)
    buckets = model.blocks[0].pos_embedding._relative_position_bucket(rel)
    save_file({"ids": ids_t.to(torch.int32), "mask": mask_t.to(torch.int32), "out_raw": raw.float().contiguous(),
               "buckets": buckets.to(torch.int32).contiguous()},
              os.path.join(T5_DIR, "tiny_umt5_io.safetensors"))
    print(f"  t5 out {list(raw.shape)} std {float(raw[:, :20].std()):.4f}")


# ------------------------------------------------------------------------------------------ tokenizer
CORPUS = """
Remove the text overlays and subtitles from this video while preserving the original background content and maintaining temporal consistency across frames.
Please remove the subtitle text from the video while preserving the character appearance, background composition, and color style. Do not add any new elements.
The quick brown fox jumps over the lazy dog. A video frame shows a street at night, with cars and people walking.
Subtitles appear at the bottom of the screen in white letters with a black outline.
请删除视频中的字幕，同时保留原始背景内容，并保持帧之间的时间一致性。视频里有一个人在街上走路。
今天天气很好，我们去公园散步吧。字幕出现在屏幕底部。
動画から字幕を削除してください。背景はそのまま残してください。東京の夜景はとても綺麗です。
자막을 제거하고 원래 배경을 유지하세요. 오늘은 날씨가 좋습니다. 영상 속 사람이 걷고 있습니다.
قم بإزالة الترجمة من الفيديو مع الحفاظ على الخلفية الأصلية. الطقس جميل اليوم.
Удалите субтитры из видео, сохранив исходный фон. Сегодня хорошая погода, мы идём гулять.
वीडियो से उपशीर्षक हटाएं और मूल पृष्ठभूमि को बनाए रखें। आज मौसम अच्छा है।
ลบคำบรรยายออกจากวิดีโอโดยรักษาพื้นหลังเดิมไว้ วันนี้อากาศดีมาก
Αφαιρέστε τους υπότιτλους από το βίντεο διατηρώντας το αρχικό φόντο. Ο καιρός είναι καλός σήμερα.
הסר את הכתוביות מהסרטון תוך שמירה על הרקע המקורי. מזג האוויר יפה היום.
Entfernen Sie die Untertitel aus dem Video und behalten Sie den Hintergrund bei. Übermäßig große Straße.
Supprimez les sous-titres de la vidéo tout en préservant l'arrière-plan d'origine. Ça va très bien, merci.
Elimina los subtítulos del vídeo conservando el fondo original. ¿Dónde está la estación? ¡Mañana!
Xóa phụ đề khỏi video trong khi vẫn giữ nguyên nền gốc. Hôm nay trời đẹp.
Full-width ＡＢＣ１２３ and half-width ｶﾀｶﾅ appear in Japanese subtitles; ligatures like ﬁ and ﬂ too.
Numbers 0123456789, punctuation !?.,;:'"()[]{}<>-_+=*/\\@#$%^&|~ and quotes “smart” ‘single’ … — –.
Emoji in subtitles 😀 🎬 👍🏽 ❤️ are rare but happen. Tabs	and  double  spaces should collapse.
""".strip()

TEST_STRINGS = [
    "Remove the text overlays and subtitles from this video while preserving the original background content and maintaining temporal consistency across frames.",
    "Please remove the subtitle text from the video while preserving the character appearance, background composition, and color style. Do not add any new elements.",
    "",
    "a",
    "Hello world",
    "  leading and trailing spaces  ",
    "tabs\tand\nnewlines\r\n  runs   of    spaces",
    "请删除视频中的字幕",
    "今天天气很好，我们去公园散步吧。",
    "動画から字幕を削除してください。",
    "자막을 제거하고 원래 배경을 유지하세요.",
    "قم بإزالة الترجمة من الفيديو",
    "Удалите субтитры из видео",
    "वीडियो से उपशीर्षक हटाएं",
    "ลบคำบรรยายออกจากวิดีโอ",
    "Αφαιρέστε τους υπότιτλους",
    "הסר את הכתוביות מהסרטון",
    "Xóa phụ đề khỏi video",
    "Emoji 😀 🎬 👍🏽 ❤️ here",
    "Full-width ＡＢＣ１２３ and ｶﾀｶﾅ",
    "ligatures ﬁ ﬂ and ① ② ㍿",
    "“smart quotes” and ‘single’ … — –",
    "Übermäßig große Straße, ça va, ¿dónde?",
    "HTML entities &amp; &lt;b&gt; &#39;quoted&#39;",
    "unseen script: ᚠᚢᚦᚨᚱᚲ ⴰⵣⵓⵍ",
    "mixed 中文 English العربية 한국어 日本語",
    "punctuation !?.,;:'\"()[]{}<>-_+=*/\\@#$%^&|~",
    "UPPER lower MiXeD 12345 3.14159",
    "repeated repeated repeated repeated words words",
    "zero\u200bwidth\u00a0nbsp\u3000ideographic space",
]


def make_tokenizer():
    import sentencepiece as spm
    from transformers import T5TokenizerFast
    from diffsynth.prompters.wan_prompter import whitespace_clean, basic_clean

    corpus_path = os.path.join(T5_DIR, "corpus.tmp.txt")
    with open(corpus_path, "w", encoding="utf-8") as f:
        # repeat with variations so the trainer has enough sentences
        for i in range(4):
            for line in CORPUS.splitlines():
                f.write(line + "\n")
    results = {}
    for name, byte_fallback in (("tiny_unigram", False), ("tiny_unigram_bytes", True)):
        prefix = os.path.join(T5_DIR, name)
        spm.SentencePieceTrainer.train(
            input=corpus_path, model_prefix=prefix, model_type="unigram", vocab_size=800 if byte_fallback else 1000,
            character_coverage=0.995, byte_fallback=byte_fallback, normalization_rule_name="identity" if byte_fallback else "nmt_nfkc",
            pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece="<pad>", eos_piece="</s>", bos_piece="<s>",
            unk_piece="<unk>", hard_vocab_limit=False, split_digits=False, num_threads=1, seed_sentencepiece_size=100000,
            minloglevel=2)
        os.remove(prefix + ".vocab")
        sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
        entries = []
        fast = None
        if not byte_fallback:
            # google/umt5-xxl's tokenizer.json prepends "▁" to every input (Metaspace, prepend "always")
            fast = T5TokenizerFast(vocab_file=prefix + ".model", extra_ids=0, add_prefix_space=True, from_slow=True)
            assert '"prepend_scheme":"always"' in fast.backend_tokenizer.to_str().replace(" ", "")
        if fast is not None:
            # tokenizer.json as transformers writes it; the precompiled_charsmap (the same bytes as
            # the .model's normalizer_spec) is blanked to keep the fixture small: the Swift test puts
            # it back from tiny_unigram.model.
            tj = json.loads(fast.backend_tokenizer.to_str())
            for n in tj["normalizer"].get("normalizers", [tj["normalizer"]]):
                if n.get("type") == "Precompiled":
                    n["precompiled_charsmap"] = ""
            with open(prefix + ".tokenizer.json", "w", encoding="utf-8") as f:
                json.dump(tj, f, ensure_ascii=False)
        for s in TEST_STRINGS:
            cleaned = whitespace_clean(basic_clean(s))  # WanPrompter's HuggingfaceTokenizer(clean='whitespace')
            e = {"text": s, "cleaned": cleaned, "spm_ids": sp.encode(cleaned) + [1],
                 "spm_pieces": sp.encode(cleaned, out_type=str)}
            if fast is not None:
                enc = fast([cleaned], padding="max_length", truncation=True, max_length=512, add_special_tokens=True)
                ids = enc["input_ids"][0]
                L = int(sum(enc["attention_mask"][0]))
                assert len(ids) == 512 and all(i == 0 for i in ids[L:])
                e["hf_ids"] = ids[:L]
                e["hf_len"] = L
            entries.append(e)
        # truncation: a long prompt keeps 511 content tokens + eos
        long_text = " ".join(["subtitles"] * 700)
        e = {"text": long_text, "cleaned": long_text, "spm_ids": (sp.encode(long_text)[:511]) + [1]}
        if fast is not None:
            enc = fast([long_text], padding="max_length", truncation=True, max_length=512)
            e["hf_ids"] = enc["input_ids"][0]
            e["hf_len"] = int(sum(enc["attention_mask"][0]))
        entries.append(e)
        results[name] = {"byte_fallback": byte_fallback, "max_length": 512, "entries": entries}
        diff = sum(1 for e in entries if "hf_ids" in e and e["hf_ids"] != e["spm_ids"])
        print(f"  tokenizer {name}: {sp.get_piece_size()} pieces, {len(entries)} strings, hf != spm on {diff}")
    os.remove(corpus_path)
    with open(os.path.join(T5_DIR, "tokenizer_ids.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=0)


def main():
    os.makedirs(VAE_DIR, exist_ok=True)
    os.makedirs(T5_DIR, exist_ok=True)
    what = sys.argv[1:] or ["vae", "t5", "tok"]
    if "vae" in what:
        run_vae(make_vae())
    if "t5" in what:
        make_t5()
    if "tok" in what:
        make_tokenizer()


if __name__ == "__main__":
    main()
