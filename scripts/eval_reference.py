#!/usr/bin/env python3
"""eval_reference.py: a plain-PyTorch reference for eval-fewshot (no transformers, no lmkit).

It reads a model directory as transformers' GPT2LMHeadModel would (config.json +
model.safetensors, parsed by hand), runs GPT-2's forward pass in torch, and scores the
requests eval-fewshot recorded in its --samples file exactly as lm-evaluation-harness's
HFLM does: input = (context + continuation)[-(L+1):][:-1], log_softmax, the continuation's
log-probabilities summed. Token ids come from the samples file (context_ids,
continuation_ids), so the comparison is about the model computation, not the tokenizer.

  eval_reference.py make-model --out DIR --tokenizer tokenizer.json [--layers 2 --embd 64 ...]
      writes a random GPT-2 (config.json, model.safetensors, tokenizer.json copied) for tests
  eval_reference.py check --model DIR --samples samples.jsonl [--tol 1e-4]
      per-choice log-likelihoods vs eval-fewshot's; exit 1 if any differs by more than tol
  eval_reference.py bench --model DIR --samples samples.jsonl [--batch-size 32] [--threads N]
      lm-eval-style batched scoring of the same requests; prints docs/s and tokens/s as JSON
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys
import time

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[a:b]), dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name[len("transformer."):] if name.startswith("transformer.") else name] = t.float()
    return out


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().float().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


class Gpt2:
    """GPT2LMHeadModel's forward (pre-LN, tied head); lmk_norm_position "post" supported."""

    def __init__(self, model_dir, mkldnn=False):
        self.cfg = json.load(open(os.path.join(model_dir, "config.json")))
        self.w = read_safetensors(os.path.join(model_dir, "model.safetensors"))
        self.L = self.cfg["n_layer"]
        self.H = self.cfg["n_head"]
        self.eps = self.cfg.get("layer_norm_epsilon", 1e-5)
        self.post = self.cfg.get("lmk_norm_position", "pre") == "post"
        act = self.cfg.get("activation_function", "gelu_new")
        self.act = {"gelu_new": lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
                    "gelu": torch.nn.functional.gelu, "relu": torch.relu}[act]
        self.n_positions = self.cfg["n_positions"]
        # Debian's torch sends plain matmuls to netlib's reference BLAS; --mkldnn runs every
        # projection and the LM head through PyTorch's bundled oneDNN (MKL-DNN) instead.
        self.mk = {}
        if mkldnn:
            from torch.utils import mkldnn as tm
            for name, t in self.w.items():
                if name.endswith(".weight") and t.dim() == 2 and name not in ("wpe.weight",):
                    W = t.T.contiguous() if name != "wte.weight" else t  # Conv1D [in, out] -> [out, in]
                    lin = torch.nn.Linear(W.shape[1], W.shape[0], bias=name != "wte.weight")
                    lin.weight.data = W
                    if name != "wte.weight":
                        lin.bias.data = self.w[name[:-len("weight")] + "bias"]
                    self.mk[name] = tm.to_mkldnn(lin)

    def proj(self, x, name):
        """x @ W (+ b) for a Conv1D weight `name` (or the tied LM head for wte.weight)."""
        if name in self.mk:
            y = self.mk[name](x.reshape(-1, x.shape[-1]).to_mkldnn()).to_dense()
            return y.reshape(*x.shape[:-1], y.shape[-1])
        if name == "wte.weight":
            return x @ self.w[name].T
        return x @ self.w[name] + self.w[name[:-len("weight")] + "bias"]

    def ln(self, x, p):
        return torch.nn.functional.layer_norm(x, x.shape[-1:], self.w[p + ".weight"], self.w[p + ".bias"], self.eps)

    @torch.no_grad()
    def logits(self, ids, mask=None):
        """ids (B, T) -> logits (B, T, V); right padding needs no mask (causal)."""
        B, T = ids.shape
        w = self.w
        h = w["wte.weight"][ids] + w["wpe.weight"][:T]
        C = h.shape[-1]
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        for l in range(self.L):
            p = f"h.{l}."
            x = h if self.post else self.ln(h, p + "ln_1")
            qkv = self.proj(x, p + "attn.c_attn.weight")
            q, k, v = qkv.split(C, dim=-1)
            q, k, v = (t.view(B, T, self.H, C // self.H).transpose(1, 2) for t in (q, k, v))
            att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.H)
            att = att.masked_fill(~causal, float("-inf")).softmax(-1)
            y = (att @ v).transpose(1, 2).reshape(B, T, C)
            y = self.proj(y, p + "attn.c_proj.weight")
            h = self.ln(h + y, p + "ln_1") if self.post else h + y
            x = h if self.post else self.ln(h, p + "ln_2")
            m = self.act(self.proj(x, p + "mlp.c_fc.weight"))
            m = self.proj(m, p + "mlp.c_proj.weight")
            h = self.ln(h + m, p + "ln_2") if self.post else h + m
        if not self.post:
            h = self.ln(h, "ln_f")
        return self.proj(h, "wte.weight")


def requests_of(samples_path):
    """(doc index, choice index, context ids, continuation ids, our loglikelihood) per request."""
    reqs, docs = [], 0
    with open(samples_path) as f:
        for line in f:
            s = json.loads(line)
            if "continuation_ids" not in s:
                continue
            for j, cont in enumerate(s["continuation_ids"]):
                reqs.append((docs, j, s["context_ids"], cont, s["loglikelihoods"][j]))
            docs += 1
    return reqs, docs


def score_batched(model, reqs, batch_size):
    """lm-eval HFLM._loglikelihood_tokens: sort by length (desc), right-pad, one call per batch."""
    L = model.n_positions
    order = sorted(range(len(reqs)), key=lambda i: -(len(reqs[i][2]) + len(reqs[i][3])))
    out = [0.0] * len(reqs)
    for b in range(0, len(order), batch_size):
        chunk = order[b:b + batch_size]
        inps = [(reqs[i][2] + reqs[i][3])[-(L + 1):][:-1] for i in chunk]
        T = max(len(x) for x in inps)
        ids = torch.zeros(len(chunk), T, dtype=torch.long)
        for r, x in enumerate(inps):
            ids[r, :len(x)] = torch.tensor(x)
        lp = torch.log_softmax(model.logits(ids), dim=-1)
        for r, i in enumerate(chunk):
            cont = reqs[i][3]
            n = len(inps[r])
            rows = lp[r, n - len(cont):n]
            out[i] = float(rows.gather(1, torch.tensor(cont).unsqueeze(1)).sum())
    return out


def make_model(a):
    tok = json.load(open(a.tokenizer))
    V = len(tok["model"]["vocab"]) + sum(1 for t in tok.get("added_tokens", []) if t["id"] >= len(tok["model"]["vocab"]))
    g = torch.Generator().manual_seed(a.seed)
    C, Lyr, P = a.embd, a.layers, a.positions

    def n(*shape, sd=0.02):
        return torch.randn(*shape, generator=g) * sd * a.scale

    t = {"transformer.wte.weight": n(V, C), "transformer.wpe.weight": n(P, C)}
    for l in range(Lyr):
        p = f"transformer.h.{l}."
        t[p + "ln_1.weight"] = 1 + n(C, sd=0.1)
        t[p + "ln_1.bias"] = n(C)
        t[p + "attn.c_attn.weight"] = n(C, 3 * C)
        t[p + "attn.c_attn.bias"] = n(3 * C)
        t[p + "attn.c_proj.weight"] = n(C, C)
        t[p + "attn.c_proj.bias"] = n(C)
        t[p + "ln_2.weight"] = 1 + n(C, sd=0.1)
        t[p + "ln_2.bias"] = n(C)
        t[p + "mlp.c_fc.weight"] = n(C, 4 * C)
        t[p + "mlp.c_fc.bias"] = n(4 * C)
        t[p + "mlp.c_proj.weight"] = n(4 * C, C)
        t[p + "mlp.c_proj.bias"] = n(C)
    t["transformer.ln_f.weight"] = torch.ones(C)
    t["transformer.ln_f.bias"] = torch.zeros(C)
    os.makedirs(a.out, exist_ok=True)
    write_safetensors(os.path.join(a.out, "model.safetensors"), t)
    cfg = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": V, "n_positions": P,
           "n_embd": C, "n_layer": Lyr, "n_head": a.heads, "activation_function": "gelu_new",
           "layer_norm_epsilon": 1e-5, "bos_token_id": V - 1, "eos_token_id": V - 1}
    json.dump(cfg, open(os.path.join(a.out, "config.json"), "w"), indent=2)
    shutil.copy(a.tokenizer, os.path.join(a.out, "tokenizer.json"))
    print(f"eval_reference: wrote {a.out} (vocab {V}, {Lyr} layers, {C} channels)", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make-model")
    m.add_argument("--out", required=True)
    m.add_argument("--tokenizer", required=True)
    m.add_argument("--layers", type=int, default=2)
    m.add_argument("--embd", type=int, default=64)
    m.add_argument("--heads", type=int, default=2)
    m.add_argument("--positions", type=int, default=256)
    m.add_argument("--scale", type=float, default=5.0, help="weight scale over GPT-2's 0.02 (sharper predictions)")
    m.add_argument("--seed", type=int, default=0)
    for name in ("check", "bench"):
        s = sub.add_parser(name)
        s.add_argument("--model", required=True)
        s.add_argument("--samples", required=True)
        s.add_argument("--tol", type=float, default=1e-4)
        s.add_argument("--batch-size", type=int, default=32)
        s.add_argument("--threads", type=int, default=0)
        s.add_argument("--mkldnn", action="store_true", help="projections through oneDNN, not netlib BLAS")
    a = ap.parse_args()
    if a.cmd == "make-model":
        return make_model(a)
    if a.threads:
        torch.set_num_threads(a.threads)
    model = Gpt2(a.model, a.mkldnn)
    reqs, docs = requests_of(a.samples)
    if not reqs:
        print("eval_reference: no requests with token ids in " + a.samples, file=sys.stderr)
        return 1
    # CPU seconds of this process: the machine is shared, and the comparison runs one thread
    clock = time.process_time if torch.get_num_threads() == 1 else time.perf_counter
    t0 = clock()
    ref = score_batched(model, reqs, a.batch_size)
    dt = clock() - t0
    tokens = sum(len(r[3]) for r in reqs)
    if a.cmd == "check":
        worst = max(range(len(reqs)), key=lambda i: abs(ref[i] - reqs[i][4]))
        diff = abs(ref[worst] - reqs[worst][4])
        print(f"eval_reference: {len(reqs)} requests over {docs} documents, max |ours - torch| = {diff:.3g} "
              f"(doc {reqs[worst][0]} choice {reqs[worst][1]}: {reqs[worst][4]:.6f} vs {ref[worst]:.6f})",
              file=sys.stderr)
        return 0 if diff <= a.tol else 1
    print(json.dumps({"docs": docs, "requests": len(reqs), "tokens_scored": tokens, "seconds": round(dt, 4),
                      "docs_per_s": docs / dt, "tokens_per_s": tokens / dt, "threads": torch.get_num_threads(),
                      "backend": "mkldnn" if a.mkldnn else "default"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
