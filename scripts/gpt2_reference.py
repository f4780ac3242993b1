#!/usr/bin/env python3
"""gpt2_reference.py: an independent GPT-2 in plain PyTorch that loads an lmkit model directory
(config.json + model.safetensors with Hugging Face GPT2LMHeadModel names) and checks lmkit's
logits against its own.

Written from the GPT-2 paper / HF's documented layout, not from lmkit's code: the safetensors
file is parsed by hand (8-byte header length, JSON header, raw little-endian data), Conv1D
weights are used as [in, out] (y = x W + b), the LM head is tied to wte. It also honours
lmkit's config extensions (lmk_norm_position "post", sinusoidal tables stored in wpe).

Usage:
  gpt2_reference.py MODEL_DIR --ids 1,2,3 [--logits FILE.json] [--tol 1e-4]
With --logits (lmkit's output of `gpt-logits`: {"ids": [...], "logits": [[...], ...]}),
compares every position's logits and exits 1 if any differs by more than --tol; otherwise
prints the reference logits as the same JSON.
"""
import argparse
import json
import math
import struct
import sys

import numpy as np
import torch


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    dtypes = {"F32": np.float32, "F16": np.float16}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] == "BF16":
            begin, end = info["data_offsets"]
            raw = np.frombuffer(data[base + begin : base + end], dtype=np.uint16).astype(np.uint32) << 16
            arr = raw.view(np.float32)
        else:
            begin, end = info["data_offsets"]
            arr = np.frombuffer(data[base + begin : base + end], dtype=dtypes[info["dtype"]]).astype(np.float32)
        out[name] = torch.from_numpy(arr.reshape(info["shape"]).copy())
    return out


def act_fn(name):
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))
    if name == "gelu":
        return lambda x: torch.nn.functional.gelu(x)
    if name == "relu":
        return torch.relu
    raise SystemExit(f"unsupported activation {name}")


class ReferenceGPT2:
    def __init__(self, cfg, w):
        self.cfg = cfg
        self.w = {k if k.startswith(("transformer.", "lm_head.")) else "transformer." + k: v for k, v in w.items()}
        self.act = act_fn(cfg.get("activation_function", "gelu_new"))
        self.post = cfg.get("lmk_norm_position", "pre") == "post"
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)

    def ln(self, x, p):
        return torch.nn.functional.layer_norm(x, (x.shape[-1],), self.w[p + ".weight"], self.w[p + ".bias"], self.eps)

    def conv1d(self, x, p):
        return x @ self.w[p + ".weight"] + self.w[p + ".bias"]

    def attn(self, x, p):
        T, C = x.shape
        H = self.cfg["n_head"]
        qkv = self.conv1d(x, p + ".c_attn")
        q, k, v = qkv.split(C, dim=-1)
        q, k, v = (t.view(T, H, C // H).transpose(0, 1) for t in (q, k, v))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(C // H)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(0, 1).reshape(T, C)
        return self.conv1d(y, p + ".c_proj")

    def mlp(self, x, p):
        return self.conv1d(self.act(self.conv1d(x, p + ".c_fc")), p + ".c_proj")

    def logits(self, ids):
        w = self.w
        T = len(ids)
        h = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][:T]
        for i in range(self.cfg["n_layer"]):
            p = f"transformer.h.{i}"
            if self.post:
                h = self.ln(h + self.attn(h, p + ".attn"), p + ".ln_1")
                h = self.ln(h + self.mlp(h, p + ".mlp"), p + ".ln_2")
            else:
                h = h + self.attn(self.ln(h, p + ".ln_1"), p + ".attn")
                h = h + self.mlp(self.ln(h, p + ".ln_2"), p + ".mlp")
        if not self.post:
            h = self.ln(h, "transformer.ln_f")
        return h @ w["transformer.wte.weight"].T


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--ids", required=True)
    ap.add_argument("--logits", help="lmkit's logits JSON to compare against")
    ap.add_argument("--tol", type=float, default=1e-4)
    a = ap.parse_args()
    torch.set_grad_enabled(False)
    cfg = json.load(open(a.model + "/config.json"))
    model = ReferenceGPT2(cfg, load_safetensors(a.model + "/model.safetensors"))
    ids = torch.tensor([int(t) for t in a.ids.split(",")])
    ref = model.logits(ids)
    if not a.logits:
        json.dump({"ids": ids.tolist(), "logits": ref.tolist()}, sys.stdout)
        return 0
    ours = json.load(open(a.logits))
    got = torch.tensor(ours["logits"], dtype=torch.float32)
    if got.shape != ref.shape:
        print(f"gpt2_reference: shape {tuple(got.shape)} vs reference {tuple(ref.shape)}", file=sys.stderr)
        return 1
    diff = (got - ref).abs().max().item()
    print(f"gpt2_reference: {len(ids)} positions x {ref.shape[1]} logits, "
          f"max |lmkit - torch| = {diff:.3g} (tolerance {a.tol:g})", file=sys.stderr)
    return 0 if diff <= a.tol else 1


if __name__ == "__main__":
    sys.exit(main())
