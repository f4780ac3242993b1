#!/usr/bin/env python3
"""PyTorch CPU reference for bench_engine: the same kernels on the same shapes, forward and
backward through autograd as a PyTorch training step runs them (attention as nanoGPT writes
it without flash attention, which PyTorch 1.13 lacks). Prints `key ms` lines.

    bench_engine_torch.py THREADS [ONLY]

ONLY: comma-separated groups to run, as bench_engine's (gemm, layernorm, gelu, attention,
cross_entropy, adamw); all when absent.

Timing: best of N (N small: PyTorch's matmuls here go to Debian's reference netlib BLAS and
are slow); with one thread the process CPU time (the machine is shared), with more
the wall time, exactly as bench_engine does."""
import math
import sys
import time

import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
only = set(sys.argv[2].split(",")) if len(sys.argv) > 2 else None


def wanted(group):
    return only is None or group in only

torch.set_num_threads(threads)
torch.manual_seed(0)
clock = time.process_time if threads == 1 else time.perf_counter


def best(reps, fn):
    t_best = 1e30
    for _ in range(reps):
        t0 = clock()
        fn()
        t_best = min(t_best, clock() - t0)
    return t_best


def report(key, seconds):
    print(f"{key} {seconds * 1e3:.3f}", flush=True)


def bench_gemm():
    # GEMM (2048 x 768) @ (768 x 3072)
    a, b = torch.randn(2048, 768), torch.randn(768, 3072) * 0.02
    report("gemm_f32", best(1, lambda: torch.mm(a, b)))
    a16, b16 = a.bfloat16(), b.bfloat16()
    torch.mm(a16, b16)
    # from fp32 operands (converted inside the timed call), and from operands already in bf16
    report("gemm_bf16", best(3, lambda: torch.mm(a.bfloat16(), b.bfloat16())))
    report("gemm_bf16_pre", best(3, lambda: torch.mm(a16, b16)))


if wanted("gemm"):
    bench_gemm()


def bench_layernorm():
    # layernorm forward + backward (4096, 768)
    x = torch.randn(4096, 768, requires_grad=True)
    w = torch.randn(768, requires_grad=True)
    bias = torch.randn(768, requires_grad=True)
    dy = torch.randn(4096, 768)
    # Two cases, as bench_engine's: "layernorm" keeps x.grad, so autograd adds the norm's fresh
    # gradient into it (in a GPT step its engine likewise sums ln_1's gradient with the residual
    # add's); "layernorm_first" drops x.grad first, so the gradient is written once (ln_f).
    report("layernorm", best(5, lambda: F.layer_norm(x, (768,), w, bias, 1e-5).backward(dy)))

    def layernorm_first():
        x.grad = None
        F.layer_norm(x, (768,), w, bias, 1e-5).backward(dy)

    report("layernorm_first", best(5, layernorm_first))


if wanted("layernorm"):
    bench_layernorm()


def bench_gelu():
    # GELU (tanh) forward + backward (4096, 3072)
    x = torch.randn(4096, 3072, requires_grad=True)
    dy = torch.randn(4096, 3072)
    report("gelu", best(2, lambda: F.gelu(x, approximate="tanh").backward(dy)))


if wanted("gelu"):
    bench_gelu()


def bench_attention():
    # causal attention forward + backward, B=2, NH=12, T=1024, HS=64, from packed qkv
    B, T, NH, HS = 2, 1024, 12, 64
    C = NH * HS
    qkv = torch.randn(B, T, 3 * C, requires_grad=True)
    dy = torch.randn(B, T, C)
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))

    def attention():
        q, k, v = qkv.split(C, dim=2)
        q = q.view(B, T, NH, HS).transpose(1, 2)
        k = k.view(B, T, NH, HS).transpose(1, 2)
        v = v.view(B, T, NH, HS).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(HS))
        att = att.masked_fill(~causal, float("-inf"))
        att = F.softmax(att, dim=-1)
        return (att @ v).transpose(1, 2).contiguous().view(B, T, C)

    with torch.no_grad():
        report("attention_fwd", best(1, attention))
    report("attention", best(1, lambda: attention().backward(dy)))


if wanted("attention"):
    bench_attention()


def bench_cross_entropy():
    # softmax cross-entropy forward + backward (1024, 50304)
    logits = (torch.randn(1024, 50304) * 2).requires_grad_()
    targets = torch.randint(0, 50257, (1024,))
    report("cross_entropy", best(2, lambda: F.cross_entropy(logits, targets).backward()))


if wanted("cross_entropy"):
    bench_cross_entropy()


def bench_adamw():
    # AdamW step over 16M parameters
    p = torch.nn.Parameter(torch.randn(16 << 20) * 0.02)
    p.grad = torch.randn(16 << 20) * 1e-3
    opt = torch.optim.AdamW([p], lr=1e-4, betas=(0.9, 0.95), weight_decay=0.1)
    opt.step()
    report("adamw", best(3, opt.step))


if wanted("adamw"):
    bench_adamw()
