#!/usr/bin/env python3
"""Writes the small weight fixtures of Tests/ClearWeightsTests/Fixtures (shared/design.md §6).

Real files from torch.save and safetensors, plus expected.json with every tensor's key, dtype, shape and
values (as float32), keyed by fixture file name. Run from the repository root:

    python3 -m venv tools/.venv && tools/.venv/bin/pip install torch numpy safetensors
    tools/.venv/bin/python tools/make_weight_fixtures.py
"""
import json
import os
import zipfile
from collections import OrderedDict

import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ClearWeightsTests", "Fixtures")
DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
         torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
         torch.uint8: "U8", torch.bool: "BOOL"}


def describe(tensors):
    return [{"key": k, "dtype": DTYPE[t.dtype], "shape": list(t.shape),
             "values": [float(v) for v in t.detach().float().flatten().tolist()]}
            for k, t in tensors]


def flatten(obj, prefix=""):
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            out += flatten(v, f"{prefix}.{i}" if prefix else str(i))
    elif isinstance(obj, torch.Tensor):
        out.append((prefix, obj))
    return out


def main():
    os.makedirs(os.path.join(OUT, "sharded"), exist_ok=True)
    torch.manual_seed(0)
    expected = {}

    # 1. A plain module state dict (OrderedDict with _metadata, BatchNorm's int64 0-d counter).
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm1d(3))
    plain = model.state_dict()
    plain["extra.half"] = torch.randn(2, 3).half()
    plain["extra.bf16"] = torch.randn(3, 2).bfloat16()
    torch.save(plain, os.path.join(OUT, "plain.pt"))
    expected["plain.pt"] = describe(flatten(plain))

    # 2. CLEAR-style LoRA checkpoint: wrapper dict, pipe.dit./module./_orig_mod. prefixes, PEFT keys,
    #    bf16 Parameters, and a float next to the state dict (spec §9.2, §9.4).
    lora = OrderedDict()
    for block in range(2):
        for proj in ("q", "k"):
            stem = f"pipe.dit.module._orig_mod.blocks.{block}.self_attn.{proj}"
            lora[f"{stem}.lora_A.default.weight"] = torch.nn.Parameter(torch.randn(4, 8).bfloat16())
            lora[f"{stem}.lora_B.default.weight"] = torch.nn.Parameter(torch.randn(8, 4).bfloat16())
    lora["pipe.dit.blocks.0.ffn.0.lora_A.default.weight"] = torch.randn(4, 8)
    clear = {"model_state_dict": lora, "temporal_loss_weight": 0.1}
    torch.save(clear, os.path.join(OUT, "clear_lora.pt"))
    expected["clear_lora.pt"] = describe(flatten(clear))

    # 3. Views sharing storages: transpose, offset slice, strided slice, broadcast (stride 0), plus all dtypes.
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    views = {
        "base": base,
        "transposed": base.t(),
        "row": base[2],
        "window": base[1:, 1:3],
        "every_other": base.flatten()[1::2],
        "broadcast": torch.arange(3, dtype=torch.float32).expand(2, 3),
        "empty": torch.zeros(0, 5),
        "scalar": torch.tensor(2.5, dtype=torch.float64),
        "i64": torch.tensor([-3, 0, 1 << 40]),
        "i32": torch.tensor([-7, 9], dtype=torch.int32),
        "i16": torch.tensor([-300, 300], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "flags": torch.tensor([True, False, True]),
        "half_t": torch.randn(2, 3).half().t(),
        "nested": {"list": [torch.ones(2), torch.full((1,), -1.0)]},
    }
    torch.save(views, os.path.join(OUT, "views.pt"))
    expected["views.pt"] = describe(flatten(views))

    # 4. Pickle protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL).
    small = {"a.weight": torch.randn(3, 2), "b.bias": torch.randn(3).bfloat16()}
    torch.save(small, os.path.join(OUT, "proto4.pt"), pickle_protocol=4)
    expected["proto4.pt"] = describe(flatten(small))

    # 5. The same archive re-zipped by Python with forced ZIP64 local headers (stored entries).
    with zipfile.ZipFile(os.path.join(OUT, "plain.pt")) as src, \
            zipfile.ZipFile(os.path.join(OUT, "zip64_local.pt"), "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            with dst.open(zipfile.ZipInfo(info.filename), "w", force_zip64=True) as f:
                f.write(src.read(info.filename))
    expected["zip64_local.pt"] = expected["plain.pt"]

    # 5b. Many entries (memo indices > 255 → LONG_BINPUT/LONG_BINGET, SETITEMS batches of 1000), all views of
    #     one storage: "k{i}" holds [i, i + 1] as float32. Checked by formula in the tests, not in expected.json.
    line = torch.arange(1101, dtype=torch.float32)
    torch.save({f"k{i}": line[i:i + 2] for i in range(1100)}, os.path.join(OUT, "many_views.pt"))

    # 6. safetensors, single file with metadata and several dtypes.
    st = {"w.f32": torch.randn(3, 4), "w.f16": torch.randn(5).half(), "w.bf16": torch.randn(2, 2).bfloat16(),
          "w.i64": torch.tensor([1, -2, 3]), "w.u8": torch.tensor([7], dtype=torch.uint8),
          "w.bool": torch.tensor([False, True]), "w.empty": torch.zeros(0)}
    save_file(st, os.path.join(OUT, "small.safetensors"), metadata={"format": "pt", "note": "fixture"})
    expected["small.safetensors"] = describe(sorted(st.items()))

    # 7. A sharded checkpoint with an index (diffusers naming).
    shard1 = {"blocks.0.ffn.0.weight": torch.randn(6, 4), "blocks.0.ffn.0.bias": torch.randn(6)}
    shard2 = {"blocks.1.ffn.0.weight": torch.randn(6, 4).bfloat16(), "head.weight": torch.randn(2, 6)}
    names = ["diffusion_pytorch_model-00001-of-00002.safetensors", "diffusion_pytorch_model-00002-of-00002.safetensors"]
    weight_map = {}
    for name, shard in zip(names, (shard1, shard2)):
        save_file(shard, os.path.join(OUT, "sharded", name))
        weight_map.update({k: name for k in shard})
    with open(os.path.join(OUT, "sharded", "diffusion_pytorch_model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
    expected["sharded"] = describe(sorted({**shard1, **shard2}.items()))

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
