#!/usr/bin/env python3
"""PyTorch float32 matmul GFLOP/s on the sizes of bench/matmul.bench.ts, one thread, printed as JSON.

Rates come from process CPU time per call (as in matmul.bench.ts), so other load on the machine does not skew them.

Run: env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_matmul.py
(bench/matmul.bench.ts runs it itself when `import torch` works and prints our ratio to it.)
Forms: plain A@B, A^T@B and A@B^T, the transposed ones through .t() views as autograd's backward uses them.
"""
import json
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)

# (M, K, N): C[M,N] = op(A) op(B); 64x784x512 is an MNIST MLP's first layer at batch 64.
SIZES = [(64, 784, 512), (256, 256, 256), (512, 512, 512), (1024, 1024, 1024)]


def operands(form, m, k, n):
    if form == "AB":
        return torch.rand(m, k), torch.rand(k, n)
    if form == "AtB":
        return torch.rand(k, m).t(), torch.rand(k, n)
    return torch.rand(m, k), torch.rand(n, k).t()


def measure(m, k, n, form, min_seconds=0.5):
    """GFLOP/s from the median process CPU time per call (robust to other load), median wall time and best wall time."""
    a, b = operands(form, m, k, n)
    out = torch.empty(m, n)
    for _ in range(3):
        torch.matmul(a, b, out=out)
    wall, cpu = [], []
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds or len(wall) < 5:
        c, t = time.process_time(), time.perf_counter()
        torch.matmul(a, b, out=out)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    flops = 2.0 * m * n * k
    return {"cpu": flops / max(statistics.median(cpu), 1e-9) / 1e9, "wall": flops / statistics.median(wall) / 1e9,
            "best": flops / min(wall) / 1e9}


def main():
    # Best of two passes over the table (by CPU-time rate), as bench/matmul.bench.ts does for our kernels.
    best = {}
    for _ in range(2):
        for (m, k, n) in SIZES:
            for form in ("AB", "AtB", "ABt"):
                r = measure(m, k, n, form)
                key = (m, k, n, form)
                if key not in best or r["cpu"] > best[key]["cpu"]:
                    best[key] = r
    rows = [{"M": m, "K": k, "N": n, "form": form, **r} for (m, k, n, form), r in best.items()]
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "config": torch.__config__.parallel_info().splitlines()[:3]}
    json.dump({"info": info, "rows": rows}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
