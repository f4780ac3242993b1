#!/usr/bin/env python3
"""nanogpt_train.py: the PyTorch peer for bench-train.sh, a nanoGPT-style GPT-2 (pre-LN,
learned positions, GELU tanh, tied embeddings, AdamW with decay on matrices only, cosine
schedule with warmup, grad clip 1.0) trained on CPU from llm.c shards. Same data format and
configs as `pretrain`, so the two are timed on identical work.

  nanogpt_train.py --train 'data/train_*.bin' --layers 4 --heads 4 --dim 128 --ctx 64 \
      --batch 12 --vocab 65 --steps 20 [--precision bf16] [--val FILE --eval-every N]
Prints one JSON line: tokens_per_s (median step after 2 warmup steps), wall_s, final losses.
"""
import argparse
import glob
import json
import math
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_shard(path):
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520, f"{path}: not an llm.c shard"
    dtype = np.uint16 if header[1] == 1 else np.uint32
    return np.fromfile(path, dtype=dtype, offset=1024, count=int(header[2])).astype(np.int64)


class Block(nn.Module):
    def __init__(self, C, H):
        super().__init__()
        self.H = H
        self.ln_1 = nn.LayerNorm(C)
        self.c_attn = nn.Linear(C, 3 * C)
        self.c_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)

    def attn(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.H, C // self.H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // self.H))
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        return self.c_proj((att @ v).transpose(1, 2).contiguous().view(B, T, C))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, V, T, L, H, C):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.h = nn.ModuleList([Block(C, H) for _ in range(L)])
        self.ln_f = nn.LayerNorm(C)
        for n, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * L) if n.endswith("c_proj.weight") or n.endswith("mlp_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)
            elif n.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, idx, targets):
        B, T = idx.shape
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for b in self.h:
            x = b(x)
        logits = self.ln_f(x) @ self.wte.weight.T
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--val")
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--ctx", type=int, default=64)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--vocab", type=int, required=True)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--beta2", type=float, default=0.95)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=0)
    ap.add_argument("--eval-batches", type=int, default=20)
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--no-bias", action="store_true", help="zero, frozen biases (nanoGPT's bias=False)")
    ap.add_argument("--exact-val", action="store_true",
                    help="after training, also score every validation token once (pretrain --eval-batches 0)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train = np.concatenate([read_shard(p) for p in sorted(glob.glob(a.train))])
    val = read_shard(a.val) if a.val else None
    model = GPT(a.vocab, a.ctx, a.layers, a.heads, a.dim)
    if a.no_bias:  # a zero bias that never trains is nanoGPT's bias=False network
        for n, p in model.named_parameters():
            if n.endswith("bias"):
                p.requires_grad_(False)
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    other = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay}, {"params": other, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, a.beta2))

    def batch(data, starts):
        x = torch.from_numpy(np.stack([data[s : s + a.ctx] for s in starts]))
        y = torch.from_numpy(np.stack([data[s + 1 : s + 1 + a.ctx] for s in starts]))
        return x, y

    def lr_at(s):
        if s < a.warmup:
            return a.lr * (s + 1) / a.warmup
        p = min(1.0, (s - a.warmup) / max(1, a.steps - a.warmup))
        return a.min_lr + (a.lr - a.min_lr) * 0.5 * (1 + math.cos(math.pi * p))

    def evaluate():
        # nanoGPT's estimate_loss: eval_batches batches of windows drawn uniformly over the
        # whole validation split (fresh draws each time, from torch's generator).
        model.eval()
        with torch.no_grad():
            losses = []
            for b in range(a.eval_batches):
                x, y = batch(val, torch.randint(len(val) - a.ctx, (a.batch,)).tolist())
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
                    losses.append(model(x, y).item())
        model.train()
        return sum(losses) / len(losses)

    def exact_val_loss():
        # Every target token once: windows of ctx laid end to end, the last one ending at the
        # split's end with the targets the window before scored ignored (as pretrain does).
        model.eval()
        n, T = len(val), a.ctx
        rows = (n - 1 + T - 1) // T
        total, count = 0.0, 0
        with torch.no_grad():
            for first in range(0, rows, a.batch):
                xs, ys = [], []
                for r in range(first, min(rows, first + a.batch)):
                    s = min(r * T, n - 1 - T)
                    y = torch.from_numpy(val[s + 1 : s + 1 + T].copy())
                    y[: max(0, r * T - s)] = -100
                    xs.append(torch.from_numpy(val[s : s + T].copy()))
                    ys.append(y)
                x, y = torch.stack(xs), torch.stack(ys)
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
                    mean = model(x, y).item()
                k = int((y != -100).sum())
                total, count = total + mean * k, count + k
        return total / count

    times, loss, val_loss = [], float("nan"), float("nan")
    t_start = time.time()
    for step in range(a.steps):
        t0 = time.time()
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = batch(train, torch.randint(len(train) - a.ctx, (a.batch,)).tolist())  # nanoGPT's get_batch
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
            l = model(x, y)
        opt.zero_grad(set_to_none=True)
        l.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss = l.item()
        times.append(time.time() - t0)
        if val is not None and a.eval_every and ((step + 1) % a.eval_every == 0 or step + 1 == a.steps):
            val_loss = evaluate()
            print(f"step {step + 1}: train loss {loss:.4f}, val loss {val_loss:.4f}, {time.time() - t_start:.1f} s",
                  file=sys.stderr)
    wall = time.time() - t_start
    steady = times[2:] if len(times) > 4 else times
    result = {"tokens_per_s": a.batch * a.ctx / statistics.median(steady), "wall_s": round(wall, 2),
              "loss": round(loss, 4), "val_loss": round(val_loss, 4) if val is not None else None}
    if a.exact_val and val is not None:
        t0 = time.time()
        result["exact_val_loss"] = round(exact_val_loss(), 4)
        result["exact_eval_s"] = round(time.time() - t0, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
